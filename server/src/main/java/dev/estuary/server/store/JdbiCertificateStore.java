package dev.estuary.server.store;

import dev.estuary.server.audit.Actors;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementException;

/**
 * {@link CertificateStore} in the SQL database (table {@code certificate}).
 *
 * <p>Concurrency: no lock is taken in Java. Consuming a bootstrap secret is a single conditional
 * {@code UPDATE}, so the database serializes concurrent uses of one secret on its row lock and
 * re-checks the condition for each; uses of different secrets do not contend.
 *
 * <p>Every issuance and revocation appends its audit record ({@link AuditLog}) in the same
 * transaction: a certificate is never recorded without its audit record, nor the other way round.
 */
public final class JdbiCertificateStore implements CertificateStore, AutoCloseable {

  static final String COLUMNS =
      "serial, subject, issuer, not_before, not_after, label, key_algorithm, sha256, gate, requester,"
          + " issued_at, der, revoked_at, revocation_reason, principal";

  private static final String VALUES =
      ":serial, :subject, :issuer, :notBefore, :notAfter, :label, :keyAlgorithm, :sha256, :gate,"
          + " :requester, :issuedAt, :der, :revokedAt, :revocationReason, :principal";

  /** The row as every schema since V4 holds it (a migration test writes V10 rows with it). */
  static final String INSERT_ROW =
      "INSERT INTO certificate (" + COLUMNS + ") VALUES (" + VALUES + ")";

  /**
   * The row, and its {@code renewed_at} when a later certificate of its subject and label is
   * already recorded (recorded out of order: a restore, another replica's clock): the first later
   * one's issue time, one seek in {@code certificate_subject_idx} ({@link #recordRenewals}).
   */
  static final String INSERT =
      "INSERT INTO certificate ("
          + COLUMNS
          + ", renewed_at) VALUES ("
          + VALUES
          + ", (SELECT MIN(s.issued_at) FROM certificate s WHERE s.subject = :subject"
          + " AND s.label = :label AND s.issued_at > :issuedAt))";

  private final Jdbi jdbi;
  private final AuditLog audit;
  private final GroupCommit<Issued> groupCommit;

  /** One issuance to record: the certificate and the bootstrap secret whose use it consumes. */
  private record Issued(CertificateRecord cert, String secretId) {}

  public JdbiCertificateStore(Jdbi jdbi) {
    this(jdbi, new AuditLog(jdbi, Clock.systemUTC()));
  }

  public JdbiCertificateStore(Jdbi jdbi, AuditLog audit) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.groupCommit =
        new GroupCommit<>(
            jdbi,
            new GroupCommit.Batch<>() {
              @Override
              public Map<Issued, RuntimeException> write(Handle handle, List<Issued> items) {
                return recordBatch(handle, items);
              }

              @Override
              public void writeAlone(Issued item) {
                recordAlone(item.cert(), item.secretId());
              }
            },
            "certificates");
  }

  /**
   * The audit record of an issuance: the device (principal) as actor, the credential it used (the
   * secret's id or the user's name, never the secret), and what was issued.
   */
  static AuditEvent issued(CertificateRecord cert, String secretId) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("issuer", cert.issuer());
    details.put("gate", cert.gate());
    details.put("requester", cert.requester());
    details.put("keyAlgorithm", cert.keyAlgorithm());
    details.put("sha256", cert.sha256());
    details.put("notBefore", cert.notBefore().toString());
    details.put("notAfter", cert.notAfter().toString());
    if (secretId != null) {
      details.put("secretUsed", secretId);
    }
    String actor =
        cert.principal() != null
            ? Actors.device(cert.principal())
            : Actors.device(cert.gate() + ":" + cert.requester());
    return new AuditEvent(
        cert.issuedAt(),
        AuditEvent.CERTIFICATE_ISSUED,
        actor,
        cert.label(),
        cert.subject(),
        cert.serial().toString(16),
        details);
  }

  @Override
  public void record(CertificateRecord cert, String secretId) {
    Objects.requireNonNull(cert, "cert");
    groupCommit.write(new Issued(cert, secretId));
  }

  /**
   * A batch of issuances in one transaction: the certificates in one batched INSERT, their audit
   * records appended last (the chain's head is locked once per batch, from the append to the
   * commit). A secret that cannot be used refuses only its own issuance.
   */
  private static Map<Issued, RuntimeException> recordBatch(Handle handle, List<Issued> items) {
    Map<Issued, RuntimeException> refused = GroupCommit.refusals();
    PreparedBatch insert = handle.prepareBatch(INSERT);
    List<AuditEvent> audit = new ArrayList<>(items.size());
    for (Issued i : items) {
      if (i.secretId() != null) {
        String reason = consumeSecretUse(handle, i.secretId(), i.cert().issuedAt());
        if (reason != null) {
          refused.put(i, new SecretRefusedException(reason));
          continue;
        }
      }
      bind(insert, i.cert()).add();
      audit.add(issued(i.cert(), i.secretId()));
    }
    if (!audit.isEmpty()) {
      insert.execute();
      List<CertificateRecord> recorded =
          items.stream().filter(i -> !refused.containsKey(i)).map(Issued::cert).toList();
      bookkeeping(handle, recorded);
      AuditLog.append(handle, audit);
    }
    return refused;
  }

  /**
   * What the console's overview reads instead of counting every certificate (schema V11), kept in
   * the recording transaction, before its audit records (rows are locked in the same order as a
   * revocation locks them: certificate rows, then {@code certificate_expiry}, then the audit head):
   * each certificate renews the one issued last before it for the same subject in the same label
   * ({@code renewed_at}), and is counted in its label's expiry hour ({@link ExpiryHours}).
   */
  private static void bookkeeping(Handle handle, List<CertificateRecord> certs) {
    recordRenewals(handle, certs);
    ExpiryHours.add(handle, ExpiryHours.recorded(certs));
  }

  /**
   * Sets {@code renewed_at}, the first later certificate's issue time, on the certificate issued
   * last before each of {@code certs} for its subject and label (the ones before that were set when
   * it was recorded: one index seek each, however long a device's history), after {@code certs}
   * were inserted with {@link #INSERT} (which sets their own {@code renewed_at} when a later one
   * was already recorded: a batch-mate inserted before it, or one recorded out of order). One
   * statement per certificate, a seek in {@code certificate_subject_idx}, sent as one JDBC batch (a
   * second UPDATE per certificate for the out-of-order case, now in the INSERT, made the two cost
   * 3.8 % of a warm enrollment's server CPU: docs/benchmarks.md). It orders by the index's two
   * columns (the subject is one value): H2 then walks the index backwards from the certificate and
   * stops at the first of its label, where {@code ORDER BY issued_at DESC} alone made it read and
   * sort the subject's every certificate (a device re-enrolling all day long: thousands). Left
   * open: when two replicas commit certificates of one subject and label at the same moment,
   * neither sees the other's; if the one issued first commits last, its {@code renewed_at} stays
   * NULL, and it is counted unrenewed for the day after it expires although its successor exists.
   */
  static void recordRenewals(Handle handle, List<CertificateRecord> certs) {
    List<CertificateRecord> byTime =
        certs.stream().sorted(Comparator.comparing(CertificateRecord::issuedAt)).toList();
    PreparedBatch previous =
        handle.prepareBatch(
            "UPDATE certificate SET renewed_at = :at WHERE serial ="
                + " (SELECT p.serial FROM certificate p WHERE p.subject = :subject"
                + " AND p.label = :label AND p.issued_at < :at"
                + " ORDER BY p.subject DESC, p.issued_at DESC LIMIT 1)"
                + " AND (renewed_at IS NULL OR renewed_at > :at)");
    for (CertificateRecord c : byTime) {
      previous.bind("at", c.issuedAt()).bind("subject", c.subject()).bind("label", c.label()).add();
    }
    previous.execute();
  }

  /** Stops the group-commit thread. */
  @Override
  public void close() {
    groupCommit.close();
  }

  /** One record in a transaction of its own: the path a batch falls back to when it fails. */
  private void recordAlone(CertificateRecord cert, String secretId) {
    jdbi.useTransaction(
        handle -> {
          if (secretId != null) {
            String refused = consumeSecretUse(handle, secretId, cert.issuedAt());
            if (refused != null) {
              throw new SecretRefusedException(refused);
            }
          }
          insert(handle, cert);
          bookkeeping(handle, List.of(cert));
          AuditLog.append(handle, List.of(issued(cert, secretId)));
        });
  }

  /**
   * Takes one use of the secret; returns null, or the reason it cannot be used (the transaction
   * stays usable either way). NULL minus 1 is NULL in SQL, so an unlimited secret stays unlimited.
   */
  static String consumeSecretUse(Handle handle, String secretId, Instant at) {
    int updated =
        handle
            .createUpdate(
                "UPDATE bootstrap_secret SET uses_remaining = uses_remaining - 1"
                    + " WHERE id = :id AND NOT disabled"
                    + " AND (uses_remaining IS NULL OR uses_remaining > 0)"
                    + " AND (expires_at IS NULL OR expires_at > :at)")
            .bind("id", secretId)
            .bind("at", at)
            .execute();
    return updated == 0 ? refusalReason(handle, secretId, at) : null;
  }

  private static String refusalReason(Handle handle, String secretId, Instant at) {
    Optional<BootstrapSecret> secret = JdbiCredentialStore.findSecret(handle, secretId);
    if (secret.isEmpty()) {
      return SecretRefusedException.UNKNOWN;
    }
    BootstrapSecret s = secret.get();
    if (s.disabled()) {
      return SecretRefusedException.DISABLED;
    }
    if (s.expiresAt() != null && !s.expiresAt().isAfter(StoreColumnTypes.toSql(at).toInstant())) {
      return SecretRefusedException.EXPIRED;
    }
    return SecretRefusedException.USED_UP;
  }

  private static void insert(Handle handle, CertificateRecord cert) {
    try {
      bind(handle.createUpdate(INSERT), cert).execute();
    } catch (StatementException e) {
      // The serial's unique constraint is the only one on this table (a duplicate DER would be a
      // duplicate serial too).
      if (UniqueViolation.isCause(e)) {
        throw new DuplicateSerialException(
            "serial number already issued: " + cert.serial().toString(16), e);
      }
      throw e;
    }
  }

  static <T extends SqlStatement<T>> T bind(T statement, CertificateRecord cert) {
    return statement
        .bind("serial", cert.serial())
        .bind("subject", cert.subject())
        .bind("issuer", cert.issuer())
        .bind("notBefore", cert.notBefore())
        .bind("notAfter", cert.notAfter())
        .bind("label", cert.label())
        .bind("keyAlgorithm", cert.keyAlgorithm())
        .bind("sha256", cert.sha256())
        .bind("gate", cert.gate())
        .bind("requester", cert.requester())
        .bind("issuedAt", cert.issuedAt())
        .bind("der", cert.der())
        .bind("revokedAt", cert.revokedAt())
        .bind("revocationReason", cert.revocationReason())
        .bind("principal", cert.principal());
  }

  @Override
  public Optional<CertificateRecord> findBySerial(BigInteger serial) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT " + COLUMNS + " FROM certificate WHERE serial = :serial")
                .bind("serial", serial)
                .map((rs, ctx) -> mapRow(rs))
                .findOne());
  }

  @Override
  public List<CertificateRecord> findBySubject(String subject, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    if (limit == 0) {
      return List.of();
    }
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM certificate WHERE subject = :subject"
                        + " ORDER BY issued_at DESC, serial DESC LIMIT :limit")
                .bind("subject", subject)
                .bind("limit", limit)
                .map((rs, ctx) -> mapRow(rs))
                .list());
  }

  /** A certificate already revoked keeps its first revocation time and reason. */
  @Override
  public boolean revoke(BigInteger serial, String reason, Instant at) {
    return revoke(serial, reason, at, Actors.SYSTEM);
  }

  /**
   * As {@link #revoke(BigInteger, String, Instant)}; a revocation that changes the record appends
   * its audit record, naming {@code actor}, in the same transaction.
   */
  @Override
  public boolean revoke(BigInteger serial, String reason, Instant at, String actor) {
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    return jdbi.inTransaction(
        handle -> {
          int updated =
              handle
                  .createUpdate(
                      "UPDATE certificate SET revoked_at = :at, revocation_reason = :reason"
                          + " WHERE serial = :serial AND revoked_at IS NULL")
                  .bind("at", at)
                  .bind("reason", reason)
                  .bind("serial", serial)
                  .execute();
          if (updated > 0) {
            CertificateRecord r =
                handle
                    .createQuery("SELECT " + COLUMNS + " FROM certificate WHERE serial = :serial")
                    .bind("serial", serial)
                    .map((rs, ctx) -> mapRow(rs))
                    .one();
            ExpiryHours.revoked(handle, r);
            Map<String, String> details = new LinkedHashMap<>();
            details.put("reason", reason == null ? "unspecified" : reason);
            details.put("issuer", r.issuer());
            AuditLog.append(
                handle,
                List.of(
                    new AuditEvent(
                        at,
                        AuditEvent.CERTIFICATE_REVOKED,
                        actor,
                        r.label(),
                        r.subject(),
                        serial.toString(16),
                        details)));
            ChangeFeed.announce(handle, ChangeFeed.Topic.REVOCATION);
            return true;
          }
          return handle
                  .createQuery("SELECT COUNT(*) FROM certificate WHERE serial = :serial")
                  .bind("serial", serial)
                  .mapTo(Long.class)
                  .one()
              > 0;
        });
  }

  @Override
  public long count() {
    return jdbi.withHandle(
        handle -> handle.createQuery("SELECT COUNT(*) FROM certificate").mapTo(Long.class).one());
  }

  static CertificateRecord mapRow(ResultSet rs) throws SQLException {
    return new CertificateRecord(
        StoreColumnTypes.toBigInteger(rs.getBigDecimal("serial")),
        rs.getString("subject"),
        rs.getString("issuer"),
        StoreColumnTypes.instant(rs, "not_before"),
        StoreColumnTypes.instant(rs, "not_after"),
        rs.getString("label"),
        rs.getString("key_algorithm"),
        rs.getString("sha256"),
        rs.getString("gate"),
        rs.getString("requester"),
        StoreColumnTypes.instant(rs, "issued_at"),
        rs.getBytes("der"),
        StoreColumnTypes.instant(rs, "revoked_at"),
        rs.getString("revocation_reason"),
        rs.getString("principal"));
  }
}
