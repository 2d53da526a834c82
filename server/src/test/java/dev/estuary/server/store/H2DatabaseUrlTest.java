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
    assertThat(Database.h2FileUrl(dir)).startsWith("jdbc:h2:file:" + dir.toAbsolutePath().resolve("estuary") + ";");
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
  void directoryWithASemicolonIsRefused() {
    assertThatThrownBy(() -> Database.h2FileUrl(dir.resolve("a;MODE=MySQL"))).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> writeDelay(Database db) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")
                    .mapTo(String.class)
                    .list());
  }
}
