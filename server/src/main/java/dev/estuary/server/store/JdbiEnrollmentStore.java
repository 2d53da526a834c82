package dev.estuary.server.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
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
 * WHERE} names the expected etag, so concurrent writers on any replica cannot both win.
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

  public JdbiEnrollmentStore(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
  }

  @Override
  public WriteOutcome createCaCertificate(CaCertificateRecord ca) {
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
  public WriteOutcome updateCaCertificate(CaCertificateRecord ca, String ifEtag) {
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
            ChangeFeed.announce(handle, ChangeFeed.Topic.CA_CERTIFICATE);
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
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT " + CA_COLUMNS + " FROM prov_ca_certificate WHERE name = :name")
                .bind("name", name)
                .map((rs, ctx) -> mapCa(rs))
                .findOne());
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
  public WriteOutcome deleteCaCertificate(String name) {
    return jdbi.inTransaction(
        handle -> {
          if (exists(handle, "prov_enrollment", "ca_certificate = :key", name)) {
            return WriteOutcome.IN_USE;
          }
          int deleted =
              handle
                  .createUpdate("DELETE FROM prov_ca_certificate WHERE name = :name")
                  .bind("name", name)
                  .execute();
          if (deleted > 0) {
            ChangeFeed.announce(handle, ChangeFeed.Topic.CA_CERTIFICATE);
          }
          return deleted > 0 ? WriteOutcome.DELETED : WriteOutcome.NOT_FOUND;
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
  public WriteOutcome putEnrollment(EnrollmentRecord enrollment, String ifMatch) {
    Objects.requireNonNull(enrollment, "enrollment");
    if (ifMatch != null) {
      int updated =
          jdbi.inTransaction(
              handle -> {
                int n =
                    ifEtag(
                            bindEnrollment(
                                handle.createUpdate(ENROLLMENT_UPDATE + etagCondition(ifMatch)),
                                enrollment),
                            ifMatch)
                        .execute();
                if (n > 0) {
                  ChangeFeed.announce(handle, ChangeFeed.Topic.ENROLLMENT);
                }
                return n;
              });
      return updated > 0 ? WriteOutcome.UPDATED : WriteOutcome.PRECONDITION_FAILED;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return jdbi.inTransaction(
            handle -> {
              if (bindEnrollment(handle.createUpdate(ENROLLMENT_UPDATE), enrollment).execute()
                  > 0) {
                ChangeFeed.announce(handle, ChangeFeed.Topic.ENROLLMENT);
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
  public WriteOutcome deleteEnrollment(EnrollmentRecord.Kind kind, String id, String ifMatch) {
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
  public void putHub(HubRecord hub) {
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
  public boolean deleteHub(String hostName) {
    return jdbi.inTransaction(
        handle -> {
          boolean deleted =
              handle
                      .createUpdate("DELETE FROM prov_hub WHERE host_name = :hostName")
                      .bind("hostName", hostName)
                      .execute()
                  > 0;
          if (deleted) {
            ChangeFeed.announce(handle, ChangeFeed.Topic.HUB);
          }
          return deleted;
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
