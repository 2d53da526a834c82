package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static dev.estuary.server.store.TestCertificates.cert;
import static dev.estuary.server.store.TestCertificates.secret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.audit.AuditChain;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.audit.AuditRecord;
import java.math.BigInteger;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The audit log on each engine: the stores' changes append their records in the change's
 * transaction; the chain verifies when untouched and names the first bad record after a row is
 * altered, deleted or swapped directly in the database (issue 12, must-hold 2).
 */
@ParameterizedClass
@EnumSource(Backend.class)
@Timeout(120)
class AuditLogTest extends BackendTestCase {
  private AuditLog audit;
  private JdbiCertificateStore certs;
  private JdbiCredentialStore credentials;

  @BeforeEach
  void createStores() {
    audit = new AuditLog(db.jdbi(), Clock.fixed(T0, ZoneOffset.UTC));
    certs = new JdbiCertificateStore(db.jdbi(), audit);
    credentials = new JdbiCredentialStore(db.jdbi(), audit);
  }

  /** Six records: a secret, four issuances (one using it), a revocation. */
  private void someHistory() {
    credentials.createSecret(secret("s1", 5, null), "token:admin");
    certs.record(cert(11), "s1");
    certs.record(cert(12), null);
    certs.record(cert(13), null);
    certs.record(cert(14), null);
    assertThat(certs.revoke(BigInteger.valueOf(12), "keyCompromise", T0, "token:admin")).isTrue();
  }

  private void sql(String statement) {
    db.jdbi().useHandle(h -> h.execute(statement));
  }

  @Test
  void eachChangeAppendsItsRecordWithItsActorAndTheUntouchedChainVerifies() {
    someHistory();

    List<AuditRecord> all = audit.all();
    assertThat(all)
        .extracting(AuditRecord::event)
        .containsExactly(
            AuditEvent.SECRET_CREATED,
            AuditEvent.CERTIFICATE_ISSUED,
            AuditEvent.CERTIFICATE_ISSUED,
            AuditEvent.CERTIFICATE_ISSUED,
            AuditEvent.CERTIFICATE_ISSUED,
            AuditEvent.CERTIFICATE_REVOKED);
    assertThat(all).extracting(AuditRecord::id).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(all.get(0).actor()).isEqualTo("token:admin");
    assertThat(all.get(1).actor()).isEqualTo("device:x509:test-principal");
    assertThat(all.get(1).serial()).isEqualTo("b");
    assertThat(all.get(1).details()).contains("\"secretUsed\":\"s1\"");
    assertThat(all.get(5).actor()).isEqualTo("token:admin");
    assertThat(all.get(5).serial()).isEqualTo("c");
    assertThat(all.get(5).details()).contains("keyCompromise");

    AuditLog.Verification v = audit.verify();
    assertThat(v.ok()).as(String.valueOf(v)).isTrue();
    assertThat(v.records()).isEqualTo(6);
    assertThat(v.headHash()).isEqualTo(all.get(5).hash());
  }

  @Test
  void aRefusedSecretLeavesNeitherCertificateNorAuditRecord() {
    credentials.createSecret(secret("once", 1, null));
    certs.record(cert(21), "once");
    try {
      certs.record(cert(22), "once");
    } catch (SecretRefusedException expected) {
      // the second use is refused
    }
    assertThat(audit.all())
        .extracting(AuditRecord::event)
        .containsExactly(AuditEvent.SECRET_CREATED, AuditEvent.CERTIFICATE_ISSUED);
    assertThat(audit.verify().ok()).isTrue();
  }

  @Test
  void anAlteredRowIsNamed() {
    someHistory();

    sql("UPDATE audit_log SET actor = 'token:somebody-else' WHERE id = 3");

    AuditLog.Verification v = audit.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.badId()).isEqualTo(3);
    assertThat(v.problem()).contains("do not match its hash");
  }

  @Test
  void anAlteredRowWithARecomputedHashIsNamedByItsSuccessor() {
    someHistory();

    // Whoever changes record 3 and recomputes its hash still breaks record 4's link.
    AuditRecord r = audit.all().get(2);
    String forged = forgedHash(r.id(), r, "token:somebody-else");
    sql(
        "UPDATE audit_log SET actor = 'token:somebody-else', record_hash = '"
            + forged
            + "' WHERE id = 3");

    AuditLog.Verification v = audit.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.badId()).isEqualTo(4);
    assertThat(v.problem()).contains("previous hash");
  }

  private static String forgedHash(long id, AuditRecord r, String actor) {
    return AuditChain.hash(
        id,
        r.at(),
        r.event(),
        actor,
        r.label(),
        r.subject(),
        r.serial(),
        r.details(),
        r.prevHash());
  }

  @Test
  void aDeletedRowIsNamed() {
    someHistory();

    sql("DELETE FROM audit_log WHERE id = 4");

    AuditLog.Verification v = audit.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.badId()).isEqualTo(4);
    assertThat(v.problem()).contains("missing");
  }

  @Test
  void aDeletedLastRowIsNamed() {
    someHistory();

    sql("DELETE FROM audit_log WHERE id = 6");

    AuditLog.Verification v = audit.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.badId()).isEqualTo(6);
  }

  @Test
  void swappedRowsAreNamed() {
    someHistory();

    // Swap records 2 and 3 (their ids change places, so the order is 1, 3, 2, 4, ...).
    sql("UPDATE audit_log SET id = -2 WHERE id = 2");
    sql("UPDATE audit_log SET id = 2 WHERE id = 3");
    sql("UPDATE audit_log SET id = 3 WHERE id = -2");

    AuditLog.Verification v = audit.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.badId()).isEqualTo(2);
  }

  @Test
  void aRowAddedOutsideTheServerIsNamed() {
    someHistory();
    AuditRecord last = audit.all().get(5);
    String hash =
        AuditChain.hash(
            7, last.at(), "certificate.revoked", "token:x", null, null, null, "{}", last.hash());

    sql(
        "INSERT INTO audit_log (id, occurred_at, event, actor, details, prev_hash, record_hash)"
            + " VALUES (7, CURRENT_TIMESTAMP, 'certificate.revoked', 'token:x', '{}', '"
            + last.hash()
            + "', '"
            + hash
            + "')");

    AuditLog.Verification v = audit.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.badId()).isEqualTo(7);
  }

  /**
   * Two stores on one database, each with its own group-commit thread (as two replicas on one
   * PostgreSQL), issue and revoke at once: the chain stays linear, dense and valid.
   */
  @Test
  void concurrentWritersFromTwoStoresKeepOneLinearChain() throws Exception {
    try (JdbiCertificateStore other = new JdbiCertificateStore(db.jdbi(), audit)) {
      ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        JdbiCertificateStore store = n % 2 == 0 ? certs : other;
        futures.add(pool.submit(() -> store.record(cert(1000 + n), null)));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      List<Future<?>> revocations = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        revocations.add(
            pool.submit(
                () -> certs.revoke(BigInteger.valueOf(1000 + n), "superseded", T0, "token:admin")));
      }
      for (Future<?> f : revocations) {
        f.get();
      }
      pool.shutdown();
    }

    AuditLog.Verification v = audit.verify();
    assertThat(v.ok()).as(String.valueOf(v)).isTrue();
    assertThat(v.records()).isEqualTo(220);
    assertThat(audit.head().lastId()).isEqualTo(220);
  }

  @Test
  void pagesAreKeysetAndFiltered() {
    someHistory();

    List<AuditRecord> first = audit.page(AuditLog.Filter.ALL, 0, 4);
    assertThat(first).extracting(AuditRecord::id).containsExactly(1L, 2L, 3L, 4L);
    assertThat(audit.page(AuditLog.Filter.ALL, 4, 4))
        .extracting(AuditRecord::id)
        .containsExactly(5L, 6L);
    assertThat(
            audit.page(
                new AuditLog.Filter(AuditEvent.CERTIFICATE_ISSUED, null, null, null, null, null),
                2,
                10))
        .extracting(AuditRecord::id)
        .containsExactly(3L, 4L, 5L);
    assertThat(audit.page(new AuditLog.Filter(null, "token:admin", null, null, null, null), 0, 10))
        .extracting(AuditRecord::event)
        .containsExactly(AuditEvent.SECRET_CREATED, AuditEvent.CERTIFICATE_REVOKED);
    assertThat(audit.page(new AuditLog.Filter(null, null, null, null, null, "c"), 0, 10))
        .extracting(AuditRecord::event)
        .containsExactly(AuditEvent.CERTIFICATE_ISSUED, AuditEvent.CERTIFICATE_REVOKED);
    assertThat(audit.page(new AuditLog.Filter(null, null, null, null, "CN=device-13", null), 0, 10))
        .hasSize(1);
    assertThat(
            audit.page(new AuditLog.Filter(null, null, T0.plusSeconds(1), null, null, null), 0, 10))
        .isEmpty();
    assertThat(
            audit.page(new AuditLog.Filter(null, null, null, T0.plusSeconds(1), null, null), 0, 10))
        .hasSize(6);
  }
}
