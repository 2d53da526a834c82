package dev.estuary.server.store;

import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

/**
 * {@link RevocationStore} in the SQL database (tables certificate, crl_number, device_disabled).
 */
public final class JdbiRevocationStore implements RevocationStore {
  /**
   * "Revoked" as a range of {@code certificate_revoked_idx}, which every revocation time lies in:
   * for {@code revoked_at IS NOT NULL} H2 reads every entry of the index (the watermark every 5 s:
   * 67 ms at 78,000 certificates) or the whole table (the revocations of a CRL: 774 ms), where the
   * range is a seek (1 and 6 ms; docs/benchmarks.md).
   */
  static final String REVOKED = "revoked_at >= TIMESTAMP WITH TIME ZONE '0001-01-01 00:00:00+00'";

  /** The statements that read every revocation read {@link #REVOKED} as a range. */
  static final String WATERMARK =
      "SELECT COUNT(*) AS n, MAX(revoked_at) AS latest FROM certificate WHERE " + REVOKED;

  private static final String REVOKED_COLUMNS =
      "serial, issuer, revoked_at, revocation_reason, invalidity_date, der";

  static final String REVOKED_UNDER =
      "SELECT "
          + REVOKED_COLUMNS
          + " FROM certificate WHERE "
          + REVOKED
          + " AND issuer = :issuer AND not_after > :after ORDER BY serial";

  private final Jdbi jdbi;

  /** Revocations and device disabling append their audit records in their own transactions. */
  public JdbiRevocationStore(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
  }

  @Override
  public Optional<CertificateRecord> revoke(
      BigInteger serial,
      String issuer,
      String reason,
      Instant at,
      Instant invalidityDate,
      String actor) {
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(at, "at");
    String byIssuer = issuer == null ? "" : " AND issuer = :issuer";
    return jdbi.inTransaction(
        handle -> {
          var update =
              handle
                  .createUpdate(
                      "UPDATE certificate SET revoked_at = :at, revocation_reason = :reason,"
                          + " invalidity_date = :invalidity"
                          + " WHERE serial = :serial AND revoked_at IS NULL"
                          + byIssuer)
                  .bind("at", at)
                  .bind("reason", reason)
                  .bind("invalidity", invalidityDate)
                  .bind("serial", serial);
          if (issuer != null) {
            update.bind("issuer", issuer);
          }
          int changed = update.execute();
          var query =
              handle
                  .createQuery(
                      "SELECT "
                          + JdbiCertificateStore.COLUMNS
                          + " FROM certificate WHERE serial = :serial"
                          + byIssuer)
                  .bind("serial", serial);
          if (issuer != null) {
            query.bind("issuer", issuer);
          }
          Optional<CertificateRecord> r =
              query.map((rs, ctx) -> JdbiCertificateStore.mapRow(rs)).findOne();
          if (changed > 0 && r.isPresent()) {
            ExpiryHours.revoked(handle, r.get());
            Map<String, String> details = new LinkedHashMap<>();
            details.put("reason", reason);
            details.put("issuer", r.get().issuer());
            if (invalidityDate != null) {
              details.put("invalidityDate", invalidityDate.toString());
            }
            AuditLog.append(
                handle,
                List.of(
                    new AuditEvent(
                        at,
                        AuditEvent.CERTIFICATE_REVOKED,
                        actor,
                        r.get().label(),
                        r.get().subject(),
                        serial.toString(16),
                        details)));
            ChangeFeed.announce(handle, ChangeFeed.Topic.REVOCATION);
          }
          return r;
        });
  }

  @Override
  public List<Revoked> revokedUnder(String issuer, Instant expiringAfter) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(REVOKED_UNDER)
                .bind("issuer", issuer)
                .bind("after", expiringAfter)
                .map((rs, ctx) -> revoked(rs))
                .list());
  }

  @Override
  public Optional<Revoked> revocation(BigInteger serial) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT "
                        + REVOKED_COLUMNS
                        + " FROM certificate WHERE serial = :serial AND revoked_at IS NOT NULL")
                .bind("serial", serial)
                .map((rs, ctx) -> revoked(rs))
                .findOne());
  }

  @Override
  public String watermark() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(WATERMARK)
                .map((rs, ctx) -> rs.getLong("n") + "/" + StoreColumnTypes.instant(rs, "latest"))
                .one());
  }

  @Override
  public BigInteger nextCrlNumber(String caId) {
    Objects.requireNonNull(caId, "caId");
    for (int attempt = 0; ; attempt++) {
      try {
        return jdbi.inTransaction(handle -> next(handle, caId));
      } catch (StatementException e) {
        // Two replicas made the CA's first CRL at once: one insert lost; the row exists now.
        if (!UniqueViolation.isCause(e) || attempt > 2) {
          throw e;
        }
      }
    }
  }

  private static BigInteger next(Handle handle, String caId) {
    int updated =
        handle
            .createUpdate("UPDATE crl_number SET last_number = last_number + 1 WHERE ca_id = :id")
            .bind("id", caId)
            .execute();
    if (updated == 0) {
      handle
          .createUpdate("INSERT INTO crl_number (ca_id, last_number) VALUES (:id, 1)")
          .bind("id", caId)
          .execute();
      return BigInteger.ONE;
    }
    return StoreColumnTypes.toBigInteger(
        handle
            .createQuery("SELECT last_number FROM crl_number WHERE ca_id = :id")
            .bind("id", caId)
            .mapTo(BigDecimal.class)
            .one());
  }

  @Override
  public DisabledDevice disable(String registrationId, Instant at, String note, String actor) {
    Objects.requireNonNull(registrationId, "registrationId");
    Objects.requireNonNull(actor, "actor");
    return jdbi.inTransaction(
        handle -> {
          Optional<DisabledDevice> prior = find(handle, registrationId);
          if (prior.isPresent()) {
            return prior.get();
          }
          handle
              .createUpdate(
                  "INSERT INTO device_disabled (registration_id, disabled_at, note)"
                      + " VALUES (:id, :at, :note)")
              .bind("id", registrationId)
              .bind("at", at)
              .bind("note", note)
              .execute();
          AuditLog.append(
              handle,
              List.of(
                  AuditEvent.of(
                      at,
                      AuditEvent.DEVICE_DISABLED,
                      actor,
                      note == null
                          ? Map.of("registrationId", registrationId)
                          : Map.of("registrationId", registrationId, "note", note))));
          ChangeFeed.announce(handle, ChangeFeed.Topic.DEVICE);
          return find(handle, registrationId).orElseThrow();
        });
  }

  @Override
  public boolean enable(String registrationId, Instant at, String actor) {
    Objects.requireNonNull(actor, "actor");
    return jdbi.inTransaction(
        handle -> {
          boolean was =
              handle
                      .createUpdate("DELETE FROM device_disabled WHERE registration_id = :id")
                      .bind("id", registrationId)
                      .execute()
                  > 0;
          if (was) {
            AuditLog.append(
                handle,
                List.of(
                    AuditEvent.of(
                        at,
                        AuditEvent.DEVICE_ENABLED,
                        actor,
                        Map.of("registrationId", registrationId))));
            ChangeFeed.announce(handle, ChangeFeed.Topic.DEVICE);
          }
          return was;
        });
  }

  @Override
  public Optional<DisabledDevice> findDisabled(String registrationId) {
    return jdbi.withHandle(handle -> find(handle, registrationId));
  }

  @Override
  public boolean principalDisabled(String principal) {
    if (principal == null) {
      return false;
    }
    return jdbi.withHandle(
        handle ->
            handle
                    .createQuery(
                        "SELECT COUNT(*) FROM device_disabled d JOIN certificate c"
                            + " ON c.subject = CONCAT('CN=', d.registration_id)"
                            + " WHERE c.principal = :principal")
                    .bind("principal", principal)
                    .mapTo(Long.class)
                    .one()
                > 0);
  }

  private static Optional<DisabledDevice> find(Handle handle, String registrationId) {
    return handle
        .createQuery(
            "SELECT registration_id, disabled_at, note FROM device_disabled"
                + " WHERE registration_id = :id")
        .bind("id", registrationId)
        .map(
            (rs, ctx) ->
                new DisabledDevice(
                    rs.getString("registration_id"),
                    StoreColumnTypes.instant(rs, "disabled_at"),
                    rs.getString("note")))
        .findOne();
  }

  private static Revoked revoked(ResultSet rs) throws SQLException {
    return new Revoked(
        StoreColumnTypes.toBigInteger(rs.getBigDecimal("serial")),
        rs.getString("issuer"),
        StoreColumnTypes.instant(rs, "revoked_at"),
        rs.getString("revocation_reason"),
        StoreColumnTypes.instant(rs, "invalidity_date"),
        rs.getBytes("der"));
  }
}
