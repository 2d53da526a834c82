package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static dev.estuary.server.store.TestCertificates.cert;
import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.install.DatabaseDump;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A backup's database dump carries the audit chain, and restore loads it into a new database (whose
 * own empty chain head it replaces): the restored chain verifies with the same head.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class AuditDumpRoundTripTest extends BackendTestCase {

  @Test
  void theRestoredChainVerifiesWithTheSameHead() throws Exception {
    AuditLog audit = new AuditLog(db.jdbi(), Clock.fixed(T0, ZoneOffset.UTC));
    try (JdbiCertificateStore certs = new JdbiCertificateStore(db.jdbi(), audit)) {
      certs.record(cert(31), null);
      certs.record(cert(32), null);
    }
    AuditLog.Verification before = audit.verify();
    ByteArrayOutputStream dump = new ByteArrayOutputStream();
    DatabaseDump.dump(db.dataSource(), dump);

    TestDatabase second = backend.create(tempDir.resolve("second"));
    try (Database restored = second.open()) {
      DatabaseDump.load(restored.dataSource(), new ByteArrayInputStream(dump.toByteArray()));
      AuditLog.Verification after = new AuditLog(restored.jdbi(), Clock.systemUTC()).verify();

      assertThat(after.ok()).as(String.valueOf(after)).isTrue();
      assertThat(after.records()).isEqualTo(2);
      assertThat(after.headHash()).isEqualTo(before.headHash());
    } finally {
      second.close();
    }
  }
}
