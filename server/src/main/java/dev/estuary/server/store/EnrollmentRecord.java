package dev.estuary.server.store;

import java.time.Instant;
import java.util.List;

/**
 * An enrollment group, or an individual enrollment (keyed by the registration id it is for).
 *
 * @param id the group id, or the registration id of an individual enrollment
 * @param caCertificate name of the {@link CaCertificateRecord} a device's chain must lead to
 * @param deviceId individual enrollments only: the device id to assign, or null for the
 *     registration id
 * @param iotHubs the hubs this enrollment allocates among; empty means every linked hub
 * @param initialTwin a JSON object (text) handed to the device as its registration payload, or null
 * @param updateHubAssignment reprovision policy: whether a re-registration evaluates the allocation
 *     again (true) or keeps the device's hub (false)
 * @param migrateDeviceData reprovision policy: on a move to another hub, whether the device's data
 *     moves along (substatus deviceDataMigrated) or starts from the initial twin (deviceDataReset)
 * @param certificateLabel the EST label that signs a CSR sent with a registration, or null
 * @param etag changes on every write
 */
public record EnrollmentRecord(
    Kind kind,
    String id,
    String caCertificate,
    String deviceId,
    boolean iotEdge,
    boolean enabled,
    Allocation allocation,
    List<String> iotHubs,
    String initialTwin,
    boolean updateHubAssignment,
    boolean migrateDeviceData,
    String certificateLabel,
    String etag,
    Instant createdAt,
    Instant updatedAt) {

  public EnrollmentRecord {
    iotHubs = List.copyOf(iotHubs);
  }

  /** Group or individual; the wire name is what the database and the admin API say. */
  public enum Kind {
    GROUP("group"),
    INDIVIDUAL("individual");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Kind of(String wire) {
      for (Kind k : values()) {
        if (k.wire.equals(wire)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown enrollment kind '" + wire + "'");
    }
  }

  /** How a hub is chosen; the wire names are DPS's allocation policy names. */
  public enum Allocation {
    /** The one hub the enrollment names. */
    STATIC("static"),
    /** Weighted rendezvous hashing of the registration id: stable when hubs are added. */
    HASHED("hashed"),
    /** The hub with the fewest registrations for its weight. */
    EVENLY_WEIGHTED("evenlyWeighted");

    private final String wire;

    Allocation(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /**
     * @throws IllegalArgumentException naming the accepted names
     */
    public static Allocation of(String wire) {
      for (Allocation a : values()) {
        if (a.wire.equals(wire)) {
          return a;
        }
      }
      throw new IllegalArgumentException(
          "allocation policy '" + wire + "' is not one of: static, hashed, evenlyWeighted");
    }
  }
}
