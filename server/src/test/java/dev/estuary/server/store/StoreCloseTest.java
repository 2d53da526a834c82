package dev.estuary.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCloseTest {
  @TempDir Path dir;

  @Test
  void aClosedStoreRefusesNewRecordsAndStopsItsCommitter() throws Exception {
    try (Database db = Database.open(Database.h2FileUrl(dir), "sa", "")) {
      long before = committers();
      JdbiCertificateStore store = new JdbiCertificateStore(db.jdbi());
      assertThat(committers()).isEqualTo(before + 1);
      store.record(TestCertificates.cert(1), null);

      store.close();

      assertThatThrownBy(() -> store.record(TestCertificates.cert(2), null))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      assertThat(store.count()).isEqualTo(1);
      assertThat(committers()).as("its committer thread is gone").isEqualTo(before);
    }
  }

  private static long committers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("estuary-group-commit-certificates") && t.isAlive())
        .count();
  }
}
