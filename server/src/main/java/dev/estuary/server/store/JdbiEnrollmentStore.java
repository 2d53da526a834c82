package dev.estuary.server.store;

import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Arrays;
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
 * {@link EnrollmentStore} in the SQL database (tables {@code prov_ca_certificate}, {@code
 * prov_enrollment}, {@code prov_hub}). Conditional writes are single {@code UPDATE}s whose {@code
 * WHERE} names the expected etag, so concurrent writers on any replica cannot both win. Each change
 * appends its audit record as the last statement of its transaction (see {@link AuditLog}); what an
 * enrollment's record carries is its attestation by name and thumbprint, never its initial twin.
 */
public final class JdbiEnrollmentStore implements EnrollmentStore {

  private static final String CA_COLUMNS =
      "name, der, subject, sha256, verified, verification_code, etag, created_at, updated_at";
  private static final String ENROLLMENT_COLUMNS =
      "kind, id, ca_certificate, device_id, iot_edge, enabled, allocation_policy, iot_hubs, initial_twin,"
          + " update_hub_assignment, migrate_device_data, certificate_label, etag, created_at, updated_at";
  private static final String ENROLLMENT_UPDATE =
      "UPDATE prov_enrollment SET ca_certificate = :caCertificate, device_id = :deviceId, iot_edge = :iotEdge,"
          + " enabled = :enabled, allocation_policy = :allocation, iot_hubs = :iotHubs, initial_twin = :initialTwin,"
          + " update_hub_assignment = :updateHubAssignment, migrate_device_data = :migrateDeviceData,"
          + " certificate_label = :certificateLabel, etag = :etag, updated_at = :updatedAt WHERE kind = :kind AND id = :id";

  /** How often an unconditional put retries after losing an insert race on the same key. */
  private static final int PUT_ATTEMPTS = 5;

  private final Jdbi jdbi;
  private final AuditLog audit;

  public JdbiEnrollmentStore(Jdbi jdbi) {
    this(jdbi, new AuditLog(jdbi, Clock.systemUTC()));
  }

  /**
   * @param audit stamps the audit records with its clock
   */
  public JdbiEnrollmentStore(Jdbi jdbi, AuditLog audit) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  /** Appends one record in {@code handle}'s transaction: the last statement before its commit. */
  private void record(
      Handle handle,
      String event,
      String actor,
      String label,
      String subject,
      Map<String, String> details) {
    Objects.requireNonNull(actor, "actor");
    AuditLog.append(
        handle, List.of(new AuditEvent(audit.now(), event, actor, label, subject, null, details)));
  }

  private static Map<String, String> caDetails(CaCertificateRecord ca) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("name", ca.name());
    d.put("sha256", ca.sha256());
    d.put("verified", Boolean.toString(ca.verified()));
    return d;
  }

  @Override
  public WriteOutcome createCaCertificate(CaCertificateRecord ca, String actor) {
    try {
      jdbi.useTransaction(
          handle -> {
            bindCa(
                    handle.createUpdate(
                        "INSERT INTO prov_ca_certificate ("
                            + CA_COLUMNS
                            + ") VALUES (:name, :der, :subject, :sha256,"
                            + " :verified, :verificationCode, :etag, :createdAt, :updatedAt)"),
                    ca)
                .execute();
            ChangeFeed.announce(handle, ChangeFeed.Topic.CA_CERTIFICATE);
            record(
                handle, AuditEvent.CA_CERTIFICATE_ADDED, actor, null, ca.subject(), caDetails(ca));
          });
      return WriteOutcome.CREATED;
    } catch (StatementException e) {
      if (UniqueViolation.isCause(e)) {
        return WriteOutcome.CONFLICT;
      }
      throw e;
    }
  }

  @Override
  public WriteOutcome updateCaCertificate(CaCertificateRecord ca, String ifEtag, String actor) {
    return jdbi.inTransaction(
        handle -> {
          int updated =
              bindCa(
                      handle.createUpdate(
                          "UPDATE prov_ca_certificate SET verified = :verified, verification_code = :verificationCode,"
                              + " etag = :etag, updated_at = :updatedAt WHERE name = :name AND etag = :ifEtag"),
                      ca)
                  .bind("ifEtag", ifEtag)
                  .execute();
          if (updated > 0) {
            // The code itself is no secret (it becomes a certificate's CN), but it is not recorded.
            String event =
                ca.verificationCode() != null
                    ? AuditEvent.CA_CERTIFICATE_CODE_ISSUED
                    : AuditEvent.CA_CERTIFICATE_VERIFIED;
            ChangeFeed.announce(handle, ChangeFeed.Topic.CA_CERTIFICATE);
            record(handle, event, actor, null, ca.subject(), caDetails(ca));
            return WriteOutcome.UPDATED;
          }
          return exists(handle, "prov_ca_certificate", "name = :key", ca.name())
              ? WriteOutcome.PRECONDITION_FAILED
              : WriteOutcome.NOT_FOUND;
        });
  }

  private static Update bindCa(Update update, CaCertificateRecord ca) {
    return update
        .bind("name", ca.name())
        .bind("der", ca.der())
        .bind("subject", ca.subject())
        .bind("sha256", ca.sha256())
        .bind("verified", ca.verified())
        .bind("verificationCode", ca.verificationCode())
        .bind("etag", ca.etag())
        .bind("createdAt", ca.createdAt())
        .bind("updatedAt", ca.updatedAt());
  }

  @Override
  public Optional<CaCertificateRecord> findCaCertificate(String name) {
    return jdbi.withHandle(handle -> findCaCertificate(handle, name));
  }

  private static Optional<CaCertificateRecord> findCaCertificate(Handle handle, String name) {
    return handle
        .createQuery("SELECT " + CA_COLUMNS + " FROM prov_ca_certificate WHERE name = :name")
        .bind("name", name)
        .map((rs, ctx) -> mapCa(rs))
        .findOne();
  }

  @Override
  public List<CaCertificateRecord> listCaCertificates() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT " + CA_COLUMNS + " FROM prov_ca_certificate ORDER BY name")
                .map((rs, ctx) -> mapCa(rs))
                .list());
  }

  @Override
  public WriteOutcome deleteCaCertificate(String name, String actor) {
    return jdbi.inTransaction(
        handle -> {
          if (exists(handle, "prov_enrollment", "ca_certificate = :key", name)) {
            return WriteOutcome.IN_USE;
          }
          Optional<CaCertificateRecord> before = findCaCertificate(handle, name);
          int deleted =
              handle
                  .createUpdate("DELETE FROM prov_ca_certificate WHERE name = :name")
                  .bind("name", name)
                  .execute();
          if (deleted == 0 || before.isEmpty()) {
            return WriteOutcome.NOT_FOUND;
          }
          ChangeFeed.announce(handle, ChangeFeed.Topic.CA_CERTIFICATE);
          record(
              handle,
              AuditEvent.CA_CERTIFICATE_DELETED,
              actor,
              null,
              before.get().subject(),
              caDetails(before.get()));
          return WriteOutcome.DELETED;
        });
  }

  @Override
  public Optional<EnrollmentRecord> findEnrollment(EnrollmentRecord.Kind kind, String id) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT "
                        + ENROLLMENT_COLUMNS
                        + " FROM prov_enrollment WHERE kind = :kind AND id = :id")
                .bind("kind", kind.wire())
                .bind("id", id)
                .map((rs, ctx) -> mapEnrollment(rs))
                .findOne());
  }

  @Override
  public List<EnrollmentRecord> listEnrollments(EnrollmentRecord.Kind kind) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT "
                        + ENROLLMENT_COLUMNS
                        + " FROM prov_enrollment WHERE kind = :kind ORDER BY id")
                .bind("kind", kind.wire())
                .map((rs, ctx) -> mapEnrollment(rs))
                .list());
  }

  @Override
  public WriteOutcome putEnrollment(EnrollmentRecord enrollment, String ifMatch, String actor) {
    Objects.requireNonNull(enrollment, "enrollment");
    Objects.requireNonNull(actor, "actor");
    if (ifMatch != null) {
      return jdbi.inTransaction(
          handle -> {
            int updated =
                ifEtag(
                        bindEnrollment(
                            handle.createUpdate(ENROLLMENT_UPDATE + etagCondition(ifMatch)),
                            enrollment),
                        ifMatch)
                    .execute();
            if (updated == 0) {
              return WriteOutcome.PRECONDITION_FAILED;
            }
            ChangeFeed.announce(handle, ChangeFeed.Topic.ENROLLMENT);
            recordEnrollment(handle, AuditEvent.ENROLLMENT_REPLACED, actor, enrollment);
            return WriteOutcome.UPDATED;
          });
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return jdbi.inTransaction(
            handle -> {
              if (bindEnrollment(handle.createUpdate(ENROLLMENT_UPDATE), enrollment).execute()
                  > 0) {
                ChangeFeed.announce(handle, ChangeFeed.Topic.ENROLLMENT);
                recordEnrollment(handle, AuditEvent.ENROLLMENT_REPLACED, actor, enrollment);
                return WriteOutcome.UPDATED;
              }
              bindEnrollment(
                      handle.createUpdate(
                          "INSERT INTO prov_enrollment ("
                              + ENROLLMENT_COLUMNS
                              + ") VALUES (:kind, :id, :caCertificate,"
                              + " :deviceId, :iotEdge, :enabled, :allocation, :iotHubs, :initialTwin, :updateHubAssignment,"
                              + " :migrateDeviceData, :certificateLabel, :etag, :createdAt, :updatedAt)"),
                      enrollment)
                  .execute();
              ChangeFeed.announce(handle, ChangeFeed.Topic.ENROLLMENT);
              recordEnrollment(handle, AuditEvent.ENROLLMENT_CREATED, actor, enrollment);
              return WriteOutcome.CREATED;
            });
      } catch (StatementException e) {
        // Another writer created the same enrollment between our UPDATE and INSERT: update it now.
        if (!UniqueViolation.isCause(e) || attempt == PUT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * An enrollment's audit record: kind, id, its attestation (the CA certificate's name and
   * thumbprint), what it assigns; never the initial twin (free text an operator may fill with
   * anything).
   */
  private void recordEnrollment(Handle handle, String event, String actor, EnrollmentRecord e) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("kind", e.kind().wire());
    d.put("id", e.id());
    d.put("caCertificate", e.caCertificate());
    if (e.caCertificate() != null) {
      findCaCertificate(handle, e.caCertificate()).ifPresent(ca -> d.put("sha256", ca.sha256()));
    }
    d.put("deviceId", e.deviceId());
    d.put("enabled", Boolean.toString(e.enabled()));
    d.put("iotEdge", Boolean.toString(e.iotEdge()));
    d.put("allocation", e.allocation().wire());
    d.put("iotHubs", String.join(",", e.iotHubs()));
    record(handle, event, actor, e.certificateLabel(), null, d);
  }

  /** Binds every column; the UPDATE leaves created_at alone, so one binding may go unused. */
  private static Update bindEnrollment(Update update, EnrollmentRecord e) {
    return update
        .configure(SqlStatements.class, c -> c.setUnusedBindingAllowed(true))
        .bind("kind", e.kind().wire())
        .bind("id", e.id())
        .bind("caCertificate", e.caCertificate())
        .bind("deviceId", e.deviceId())
        .bind("iotEdge", e.iotEdge())
        .bind("enabled", e.enabled())
        .bind("allocation", e.allocation().wire())
        .bind("iotHubs", String.join(",", e.iotHubs()))
        .bind("initialTwin", e.initialTwin())
        .bind("updateHubAssignment", e.updateHubAssignment())
        .bind("migrateDeviceData", e.migrateDeviceData())
        .bind("certificateLabel", e.certificateLabel())
        .bind("etag", e.etag())
        .bind("createdAt", e.createdAt())
        .bind("updatedAt", e.updatedAt());
  }

  @Override
  public WriteOutcome deleteEnrollment(
      EnrollmentRecord.Kind kind, String id, String ifMatch, String actor) {
    Objects.requireNonNull(actor, "actor");
    return jdbi.inTransaction(
        handle -> {
          Update delete =
              handle
                  .createUpdate(
                      "DELETE FROM prov_enrollment WHERE kind = :kind AND id = :id"
                          + etagCondition(ifMatch))
                  .bind("kind", kind.wire())
                  .bind("id", id);
          int deleted = ifEtag(delete, ifMatch).execute();
          if (deleted > 0) {
            ChangeFeed.announce(handle, ChangeFeed.Topic.ENROLLMENT);
            record(
                handle,
                AuditEvent.ENROLLMENT_DELETED,
                actor,
                null,
                null,
                Map.of("kind", kind.wire(), "id", id));
            return WriteOutcome.DELETED;
          }
          boolean exists =
              handle
                      .createQuery(
                          "SELECT COUNT(*) FROM prov_enrollment WHERE kind = :kind AND id = :id")
                      .bind("kind", kind.wire())
                      .bind("id", id)
                      .mapTo(Long.class)
                      .one()
                  > 0;
          return exists ? WriteOutcome.PRECONDITION_FAILED : WriteOutcome.NOT_FOUND;
        });
  }

  @Override
  public void putHub(HubRecord hub, String actor) {
    Objects.requireNonNull(actor, "actor");
    for (int attempt = 1; ; attempt++) {
      try {
        jdbi.useTransaction(
            handle -> {
              int updated =
                  handle
                      .createUpdate(
                          "UPDATE prov_hub SET weight = :weight WHERE host_name = :hostName")
                      .bind("weight", hub.weight())
                      .bind("hostName", hub.hostName())
                      .execute();
              if (updated == 0) {
                handle
                    .createUpdate(
                        "INSERT INTO prov_hub (host_name, weight, created_at) VALUES (:hostName, :weight, CURRENT_TIMESTAMP)")
                    .bind("weight", hub.weight())
                    .bind("hostName", hub.hostName())
                    .execute();
              }
              ChangeFeed.announce(handle, ChangeFeed.Topic.HUB);
              record(
                  handle,
                  AuditEvent.HUB_LINKED,
                  actor,
                  null,
                  null,
                  Map.of("host", hub.hostName(), "weight", Integer.toString(hub.weight())));
            });
        return;
      } catch (StatementException e) {
        if (!UniqueViolation.isCause(e) || attempt == PUT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  @Override
  public List<HubRecord> listHubs() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT host_name, weight FROM prov_hub ORDER BY host_name")
                .map((rs, ctx) -> new HubRecord(rs.getString("host_name"), rs.getInt("weight")))
                .list());
  }

  @Override
  public boolean deleteHub(String hostName, String actor) {
    Objects.requireNonNull(actor, "actor");
    return jdbi.inTransaction(
        handle -> {
          int deleted =
              handle
                  .createUpdate("DELETE FROM prov_hub WHERE host_name = :hostName")
                  .bind("hostName", hostName)
                  .execute();
          if (deleted == 0) {
            return false;
          }
          ChangeFeed.announce(handle, ChangeFeed.Topic.HUB);
          record(handle, AuditEvent.HUB_UNLINKED, actor, null, null, Map.of("host", hostName));
          return true;
        });
  }

  /** The SQL condition an If-Match value asks for: none for null or "*", else the etag. */
  private static String etagCondition(String ifMatch) {
    return ifMatch == null || ifMatch.equals("*") ? "" : " AND etag = :ifMatch";
  }

  private static Update ifEtag(Update update, String ifMatch) {
    return etagCondition(ifMatch).isEmpty() ? update : update.bind("ifMatch", ifMatch);
  }

  private static boolean exists(Handle handle, String table, String condition, String key) {
    return handle
            .createQuery("SELECT COUNT(*) FROM " + table + " WHERE " + condition)
            .bind("key", key)
            .mapTo(Long.class)
            .one()
        > 0;
  }

  private static CaCertificateRecord mapCa(ResultSet rs) throws SQLException {
    return new CaCertificateRecord(
        rs.getString("name"),
        rs.getBytes("der"),
        rs.getString("subject"),
        rs.getString("sha256"),
        rs.getBoolean("verified"),
        rs.getString("verification_code"),
        rs.getString("etag"),
        StoreColumnTypes.instant(rs, "created_at"),
        StoreColumnTypes.instant(rs, "updated_at"));
  }

  private static EnrollmentRecord mapEnrollment(ResultSet rs) throws SQLException {
    String hubs = rs.getString("iot_hubs");
    return new EnrollmentRecord(
        EnrollmentRecord.Kind.of(rs.getString("kind")),
        rs.getString("id"),
        rs.getString("ca_certificate"),
        rs.getString("device_id"),
        rs.getBoolean("iot_edge"),
        rs.getBoolean("enabled"),
        EnrollmentRecord.Allocation.of(rs.getString("allocation_policy")),
        hubs.isEmpty() ? List.of() : Arrays.asList(hubs.split(",")),
        rs.getString("initial_twin"),
        rs.getBoolean("update_hub_assignment"),
        rs.getBoolean("migrate_device_data"),
        rs.getString("certificate_label"),
        rs.getString("etag"),
        StoreColumnTypes.instant(rs, "created_at"),
        StoreColumnTypes.instant(rs, "updated_at"));
  }
}
