package dev.estuary.server.provisioning;

import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.HubRecord;
import dev.estuary.server.store.RegistrationRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Decides which hub a registration is assigned to, and the DPS substatus that says how it relates
 * to the device's previous assignment. No I/O.
 *
 * <ul>
 *   <li>{@code static}: the one hub the enrollment names.
 *   <li>{@code hashed}: weighted rendezvous hashing of the registration id over the candidate hubs.
 *       Each hub scores {@code -weight / ln(u)}, {@code u} uniform in (0, 1) from SHA-256 of hub
 *       and registration id; the highest wins. Adding a hub moves only the registrations it now
 *       wins; removing one moves only its own.
 *   <li>{@code evenlyWeighted}: the hub with the fewest registrations for its weight (ties: by
 *       name); a device that re-registers keeps its hub while it is still a candidate.
 * </ul>
 *
 * The candidates are the linked hubs the enrollment names, or every linked hub when it names none.
 * A re-registration under a reprovision policy without {@code updateHubAssignment} keeps the
 * device's hub whatever the allocation says.
 */
public final class HubAllocation {
  /**
   * From this api-version on, DPS reports a device assigned again to its previous hub as {@code
   * reprovisionedToInitialAssignment}; before it, as {@code initialAssignment} (documented on
   * ProvisioningRegistrationSubstatusType in Azure/azure-iot-sdk-csharp).
   */
  static final String REPROVISIONED_SUBSTATUS_SINCE = "2019-04-15";

  private HubAllocation() {}

  /** The hub and the DPS substatus of one registration. */
  public record Assignment(String hub, String substatus) {}

  /**
   * @param prior the device's previous registration, or null for a first one
   * @param counts registrations per hub (used by evenlyWeighted)
   * @param apiVersion the api-version the device asked with, or null
   * @throws ProvisioningRefusal (404004) when the enrollment has no linked hub to assign
   */
  public static Assignment decide(
      EnrollmentRecord enrollment,
      List<HubRecord> linked,
      RegistrationRecord prior,
      Map<String, Long> counts,
      String registrationId,
      String apiVersion)
      throws ProvisioningRefusal {
    if (prior != null && !enrollment.updateHubAssignment()) {
      return new Assignment(prior.assignedHub(), reprovisioned(apiVersion));
    }
    List<HubRecord> candidates =
        enrollment.iotHubs().isEmpty()
            ? linked
            : linked.stream().filter(h -> enrollment.iotHubs().contains(h.hostName())).toList();
    if (candidates.isEmpty()) {
      throw new ProvisioningRefusal(
          ErrorCode.NO_HUB,
          "enrollment '"
              + enrollment.id()
              + "' has no linked IoT hub to assign"
              + (enrollment.iotHubs().isEmpty()
                  ? ""
                  : " (it names " + String.join(", ", enrollment.iotHubs()) + ")"));
    }
    String hub =
        switch (enrollment.allocation()) {
          case STATIC -> candidates.getFirst().hostName();
          case HASHED -> hashed(candidates, registrationId);
          case EVENLY_WEIGHTED ->
              prior != null
                      && candidates.stream().anyMatch(h -> h.hostName().equals(prior.assignedHub()))
                  ? prior.assignedHub()
                  : evenly(candidates, counts);
        };
    if (prior == null) {
      return new Assignment(hub, "initialAssignment");
    }
    if (hub.equals(prior.assignedHub())) {
      return new Assignment(hub, reprovisioned(apiVersion));
    }
    return new Assignment(
        hub, enrollment.migrateDeviceData() ? "deviceDataMigrated" : "deviceDataReset");
  }

  private static String reprovisioned(String apiVersion) {
    return apiVersion != null && apiVersion.compareTo(REPROVISIONED_SUBSTATUS_SINCE) >= 0
        ? "reprovisionedToInitialAssignment"
        : "initialAssignment";
  }

  static String hashed(List<HubRecord> candidates, String registrationId) {
    return candidates.stream()
        .max(
            Comparator.comparingDouble((HubRecord h) -> score(h, registrationId))
                .thenComparing(HubRecord::hostName))
        .orElseThrow()
        .hostName();
  }

  private static double score(HubRecord hub, String registrationId) {
    byte[] digest = sha256(hub.hostName() + "\n" + registrationId);
    long bits = ByteBuffer.wrap(digest).getLong() >>> 11; // 53 random bits
    double u = (bits + 0.5) / (1L << 53); // strictly between 0 and 1
    return -hub.weight() / Math.log(u);
  }

  private static String evenly(List<HubRecord> candidates, Map<String, Long> counts) {
    return candidates.stream()
        .min(
            Comparator.comparingDouble(
                    (HubRecord h) -> counts.getOrDefault(h.hostName(), 0L) / (double) h.weight())
                .thenComparing(HubRecord::hostName))
        .orElseThrow()
        .hostName();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
