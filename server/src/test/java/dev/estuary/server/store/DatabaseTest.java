package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.cert;
import static dev.estuary.server.store.TestCertificates.secret;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class DatabaseTest extends BackendTestCase {

  @Test
  void reopeningKeepsTheDataAndAppliesNoMigrationAgain() {
    CertificateRecord cert = cert(1);
    new JdbiCertificateStore(db.jdbi()).record(cert, null);
    new JdbiCredentialStore(db.jdbi()).createSecret(secret("kept", 2, null));
    new JdbiCredentialStore(db.jdbi()).putBasicUser(new BasicUser("kept", "*", "h", false));
    db.close();

    db = target.open();

    assertThat(new JdbiCertificateStore(db.jdbi()).findBySerial(cert.serial())).isPresent();
    assertThat(new JdbiCredentialStore(db.jdbi()).findSecret("kept")).isPresent();
    assertThat(new JdbiCredentialStore(db.jdbi()).findBasicUser("kept")).isPresent();
    assertThat(appliedMigrations())
        .as("each migration applied once")
        .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11");
  }

  @Test
  void theSerialIsTheCertificateTablesOnlyUniqueIndex() throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      String table = backend == Backend.H2 ? "CERTIFICATE" : "certificate";
      List<String> uniqueColumns = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getIndexInfo(null, null, table, true, false)) {
        while (rs.next()) {
          if (rs.getString("COLUMN_NAME") != null) {
            uniqueColumns.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
          }
        }
      }
      // V3 dropped the unique index on sha256; H2 also lists its hidden row id as a primary key.
      assertThat(uniqueColumns).contains("serial").doesNotContain("sha256");
    }
  }

  @Test
  void connectsToTheEngineOfItsBackend() throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      DatabaseMetaData meta = c.getMetaData();
      switch (backend) {
        case H2 -> assertThat(meta.getDatabaseProductName()).isEqualTo("H2");
        case POSTGRES -> {
          assertThat(meta.getDatabaseProductName()).isEqualTo("PostgreSQL");
          assertThat(meta.getDatabaseMajorVersion()).isGreaterThanOrEqualTo(15);
        }
      }
    }
  }

  private List<String> appliedMigrations() {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT \"version\" FROM \"flyway_schema_history\""
                            + " WHERE \"type\" = 'SQL' AND \"success\" ORDER BY \"installed_rank\"")
                    .mapTo(String.class)
                    .list());
  }
}
