package dev.estuary.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2DatabaseUrlTest {

  @TempDir Path dir;

  @Test
  void fileUrlPointsIntoTheDirectory() {
    assertThat(Database.h2FileUrl(dir))
        .startsWith("jdbc:h2:file:" + dir.toAbsolutePath().resolve("estuary") + ";");
  }

  @Test
  void commitsAreWrittenWithoutDelay() {
    try (Database db = Database.open(Database.h2FileUrl(dir), "sa", "")) {
      assertThat(writeDelay(db)).isNotEmpty().containsOnly("0");
    }
  }

  @Test
  void aPlainH2UrlFromConfigurationAlsoCommitsWithoutDelay() {
    String plain = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("from-config");
    try (Database db = Database.open(plain, "sa", "")) {
      assertThat(writeDelay(db)).isNotEmpty().containsOnly("0");
    }
  }

  @Test
  void pagesSplitAt4KiBUnlessTheUrlSaysOtherwise() {
    try (Database db = Database.open(Database.h2FileUrl(dir), "sa", "")) {
      assertThat(setting(db, "info.PAGE_SIZE")).containsExactly("4096");
    }
    String own =
        "jdbc:h2:file:" + dir.toAbsolutePath().resolve("own-page-size") + ";PAGE_SIZE=8192";
    try (Database db = Database.open(own, "sa", "")) {
      assertThat(setting(db, "info.PAGE_SIZE")).containsExactly("8192");
    }
  }

  @Test
  void directoryWithASemicolonIsRefused() {
    assertThatThrownBy(() -> Database.h2FileUrl(dir.resolve("a;MODE=MySQL")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> writeDelay(Database db) {
    return setting(db, "WRITE_DELAY");
  }

  private static List<String> setting(Database db, String name) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = :name")
                    .bind("name", name)
                    .mapTo(String.class)
                    .list());
  }
}
