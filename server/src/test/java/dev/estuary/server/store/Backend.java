package dev.estuary.server.store;

import java.nio.file.Path;

/** The database engines every store test runs against. */
enum Backend {
  /** Embedded H2, in a file under the test's temporary directory (deleted by JUnit). */
  H2 {
    @Override
    TestDatabase create(Path tempDir) {
      String url = Database.h2FileUrl(tempDir.resolve("h2"));
      return new TestDatabase() {
        @Override
        public String url() {
          return url;
        }

        @Override
        public String user() {
          return "sa";
        }

        @Override
        public String password() {
          return "";
        }

        @Override
        public void close() {}
      };
    }
  },

  /** A new schema in the one PostgreSQL server that this test JVM shares. */
  POSTGRES {
    @Override
    TestDatabase create(Path tempDir) {
      return EmbeddedPostgresServer.shared().createDatabase();
    }
  };

  abstract TestDatabase create(Path tempDir);
}
