package dev.estuary.server.store;

import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementException;
import org.jdbi.v3.core.statement.Update;

/**
 * {@link RegistrationStore} in the SQL database (tables {@code prov_registration}, {@code
 * prov_operation}). Registrations are written by group commit ({@link GroupCommit}): concurrent
 * registrations share one transaction, and each caller returns once its own is committed.
 */
public final class JdbiRegistrationStore implements RegistrationStore, AutoCloseable {

  private static final String COLUMNS =
      "registration_id, enrollment_kind, enrollment_id, device_id, assigned_hub, substatus, certificate_der,"
          + " certificate_sha256, etag, created_at, last_updated_at";

  /** How often {@link #record} retries after losing the first-registration race for one id. */
  private static final int RECORD_ATTEMPTS = 5;

  private final Jdbi jdbi;
  private final AuditLog audit;
  private final GroupCommit<Registered> groupCommit;

  /** One registration to record: the record, its operation, and the operations to forget. */
  private record Registered(
      RegistrationRecord registration, StoredOperation operation, Instant forgetOperationsBefore) {}

  public JdbiRegistrationStore(Jdbi jdbi) {
    this(jdbi, new AuditLog(jdbi, Clock.systemUTC()));
  }

  /**
   * @param audit stamps the audit records with its clock
   */
  public JdbiRegistrationStore(Jdbi jdbi, AuditLog audit) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.groupCommit =
        new GroupCommit<>(
            jdbi,
            new GroupCommit.Batch<>() {
              @Override
              public Map<Registered, RuntimeException> write(
                  Handle handle, List<Registered> items) {
                return recordBatch(handle, items);
              }

              @Override
              public void writeAlone(Registered item) {
                recordAlone(item);
              }
            },
            "registrations");
  }

  @Override
  public void record(
      RegistrationRecord registration, StoredOperation operation, Instant forgetOperationsBefore) {
    groupCommit.write(new Registered(registration, operation, forgetOperationsBefore));
  }

  /** Stops the group-commit thread. */
  @Override
  public void close() {
    groupCommit.close();
  }

  /**
   * Registrations in one transaction: each record and its operation, then one sweep of the
   * operations older than the newest limit. Two registrations of one new id in a batch are one
   * insert and one update, as they would be one after the other.
   */
  private static Map<Registered, RuntimeException> recordBatch(
      Handle handle, List<Registered> items) {
    Instant forgetBefore = null;
    for (Registered r : items) {
      write(handle, r);
      if (forgetBefore == null || r.forgetOperationsBefore().isAfter(forgetBefore)) {
        forgetBefore = r.forgetOperationsBefore();
      }
    }
    forgetOperations(handle, forgetBefore);
    return GroupCommit.refusals();
  }

  /** One registration in a transaction of its own: the path a failed batch falls back to. */
  private void recordAlone(Registered r) {
    for (int attempt = 1; ; attempt++) {
      try {
        jdbi.useTransaction(
            handle -> {
              write(handle, r);
              forgetOperations(handle, r.forgetOperationsBefore());
            });
        return;
      } catch (StatementException e) {
        // Two replicas registered the same new id at once; the loser updates the winner's record.
        if (!UniqueViolation.isCause(e) || attempt == RECORD_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static void write(Handle handle, Registered r) {
    upsert(handle, r.registration());
    StoredOperation operation = r.operation();
    handle
        .createUpdate(
            "INSERT INTO prov_operation (operation_id, registration_id, created_at, answer)"
                + " VALUES (:operationId, :registrationId, :createdAt, :answer)")
        .bind("operationId", operation.operationId())
        .bind("registrationId", operation.registrationId())
        .bind("createdAt", operation.createdAt())
        .bind("answer", operation.answer())
        .execute();
  }

  private static void forgetOperations(Handle handle, Instant before) {
    handle
        .createUpdate("DELETE FROM prov_operation WHERE created_at < :before")
        .bind("before", before)
        .execute();
  }

  /** Replaces the record of the registration id, keeping its creation time; inserts a first one. */
  private static void upsert(Handle handle, RegistrationRecord r) {
    int updated =
        bind(
                handle.createUpdate(
                    "UPDATE prov_registration SET enrollment_kind = :kind, enrollment_id = :enrollmentId, device_id = :deviceId,"
                        + " assigned_hub = :hub, substatus = :substatus, certificate_der = :der, certificate_sha256 = :sha256,"
                        + " etag = :etag, last_updated_at = :lastUpdatedAt WHERE registration_id = :registrationId"),
                r)
            .execute();
    if (updated == 0) {
      bind(
              handle.createUpdate(
                  "INSERT INTO prov_registration ("
                      + COLUMNS
                      + ") VALUES (:registrationId, :kind, :enrollmentId, :deviceId,"
                      + " :hub, :substatus, :der, :sha256, :etag, :createdAt, :lastUpdatedAt)"),
              r)
          .execute();
    }
  }

  /** Binds every column; the UPDATE leaves created_at alone, so one binding may go unused. */
  private static Update bind(Update update, RegistrationRecord r) {
    return update
        .configure(SqlStatements.class, c -> c.setUnusedBindingAllowed(true))
        .bind("registrationId", r.registrationId())
        .bind("kind", r.enrollmentKind().wire())
        .bind("enrollmentId", r.enrollmentId())
        .bind("deviceId", r.deviceId())
        .bind("hub", r.assignedHub())
        .bind("substatus", r.substatus())
        .bind("der", r.certificateDer())
        .bind("sha256", r.certificateSha256())
        .bind("etag", r.etag())
        .bind("createdAt", r.createdAt())
        .bind("lastUpdatedAt", r.lastUpdatedAt());
  }

  @Override
  public Optional<RegistrationRecord> find(String registrationId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT " + COLUMNS + " FROM prov_registration WHERE registration_id = :id")
                .bind("id", registrationId)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  @Override
  public List<RegistrationRecord> listByEnrollment(
      EnrollmentRecord.Kind kind, String enrollmentId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM prov_registration WHERE enrollment_kind = :kind AND enrollment_id = :id"
                        + " ORDER BY registration_id")
                .bind("kind", kind.wire())
                .bind("id", enrollmentId)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  @Override
  public boolean delete(String registrationId, String actor) {
    Objects.requireNonNull(actor, "actor");
    return jdbi.inTransaction(
        handle -> {
          Optional<RegistrationRecord> before =
              handle
                  .createQuery(
                      "SELECT " + COLUMNS + " FROM prov_registration WHERE registration_id = :id")
                  .bind("id", registrationId)
                  .map((rs, ctx) -> map(rs))
                  .findOne();
          int deleted =
              handle
                  .createUpdate("DELETE FROM prov_registration WHERE registration_id = :id")
                  .bind("id", registrationId)
                  .execute();
          if (deleted == 0 || before.isEmpty()) {
            return false;
          }
          RegistrationRecord r = before.get();
          Map<String, String> d = new LinkedHashMap<>();
          d.put("registrationId", r.registrationId());
          d.put("enrollmentKind", r.enrollmentKind().wire());
          d.put("enrollmentId", r.enrollmentId());
          d.put("deviceId", r.deviceId());
          d.put("assignedHub", r.assignedHub());
          d.put("sha256", r.certificateSha256());
          AuditLog.append(
              handle,
              List.of(AuditEvent.of(audit.now(), AuditEvent.REGISTRATION_DELETED, actor, d)));
          return true;
        });
  }

  @Override
  public Map<String, Long> countByHub() {
    return jdbi.withHandle(
        handle -> {
          Map<String, Long> counts = new LinkedHashMap<>();
          handle
              .createQuery(
                  "SELECT assigned_hub, COUNT(*) AS n FROM prov_registration GROUP BY assigned_hub")
              .map((rs, ctx) -> Map.entry(rs.getString("assigned_hub"), rs.getLong("n")))
              .forEach(e -> counts.put(e.getKey(), e.getValue()));
          return counts;
        });
  }

  @Override
  public Optional<StoredOperation> findOperation(String operationId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT operation_id, registration_id, created_at, answer FROM prov_operation WHERE operation_id = :id")
                .bind("id", operationId)
                .map(
                    (rs, ctx) ->
                        new StoredOperation(
                            rs.getString("operation_id"),
                            rs.getString("registration_id"),
                            StoreColumnTypes.instant(rs, "created_at"),
                            rs.getString("answer")))
                .findOne());
  }

  @Override
  public List<RegistrationRecord> page(String after, int limit) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM prov_registration WHERE registration_id > :after"
                        + " ORDER BY registration_id LIMIT :limit")
                .bind("after", after == null ? "" : after)
                .bind("limit", limit)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  private static RegistrationRecord map(ResultSet rs) throws SQLException {
    return new RegistrationRecord(
        rs.getString("registration_id"),
        EnrollmentRecord.Kind.of(rs.getString("enrollment_kind")),
        rs.getString("enrollment_id"),
        rs.getString("device_id"),
        rs.getString("assigned_hub"),
        rs.getString("substatus"),
        rs.getBytes("certificate_der"),
        rs.getString("certificate_sha256"),
        rs.getString("etag"),
        StoreColumnTypes.instant(rs, "created_at"),
        StoreColumnTypes.instant(rs, "last_updated_at"));
  }
}
