package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.provisioning.RegistrationStates;
import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.EnrollmentRecord.Allocation;
import dev.estuary.server.store.EnrollmentRecord.Kind;
import dev.estuary.server.store.RegistrationRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Enrollments and registration records as the admin API writes and reads them, in DPS's member
 * names: {@code enrollmentGroupId} (groups) or {@code registrationId} and {@code deviceId}
 * (individual enrollments), {@code attestation.x509.caReferences.primary}, {@code
 * capabilities.iotEdge}, {@code provisioningStatus}, {@code allocationPolicy}, {@code iotHubs},
 * {@code initialTwin}, {@code reprovisionPolicy}, plus Estuary's {@code certificateLabel}. What
 * {@link #render} writes can be sent back to PUT as it is.
 */
final class EnrollmentJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> COMMON =
      Set.of(
          "attestation",
          "capabilities",
          "provisioningStatus",
          "allocationPolicy",
          "iotHubs",
          "initialTwin",
          "reprovisionPolicy",
          "certificateLabel",
          "etag",
          "createdDateTimeUtc",
          "lastUpdatedDateTimeUtc");

  private EnrollmentJson() {}

  /** The member that names the enrollment: enrollmentGroupId or registrationId. */
  static String idMember(Kind kind) {
    return kind == Kind.GROUP ? "enrollmentGroupId" : "registrationId";
  }

  /**
   * Reads a PUT body, reporting every problem at once.
   *
   * @param existing the stored enrollment it replaces (its creation time stays), or null
   * @throws Refusal (400) naming each member that is wrong
   */
  static EnrollmentRecord parse(
      JsonNode b,
      Kind kind,
      String id,
      Set<String> labels,
      Set<String> linkedHubs,
      Set<String> caNames,
      EnrollmentRecord existing,
      Instant now)
      throws Refusal {
    List<String> problems = new ArrayList<>();
    if (!b.isObject()) {
      throw Refusal.badRequest("the body must be a JSON object describing the enrollment");
    }
    b.fieldNames()
        .forEachRemaining(
            name -> {
              if (!COMMON.contains(name)
                  && !name.equals(idMember(kind))
                  && !(kind == Kind.INDIVIDUAL && name.equals("deviceId"))) {
                problems.add("unknown member '" + name + "'");
              }
            });
    JsonNode named = b.get(idMember(kind));
    if (named != null && !named.asText().equals(id)) {
      problems.add("'" + idMember(kind) + "' is " + named + " but the path names '" + id + "'");
    }
    String ca =
        b.path("attestation").path("x509").path("caReferences").path("primary").asText(null);
    if (!b.path("attestation").path("type").asText("x509").equals("x509")) {
      problems.add("'attestation.type' must be \"x509\"");
    }
    if (ca == null) {
      problems.add(
          "'attestation.x509.caReferences.primary' is missing: the name of the CA certificate devices chain to");
    } else if (!caNames.contains(ca)) {
      problems.add(
          "'attestation.x509.caReferences.primary': no CA certificate named '"
              + ca
              + "' (POST /api/v1/ca-certificates first)");
    }
    String deviceId = kind == Kind.INDIVIDUAL ? b.path("deviceId").asText(null) : null;
    if (deviceId != null && !deviceId.matches("[A-Za-z0-9._:@-]{1,128}")) {
      problems.add("'deviceId' must be 1-128 letters, digits, '.', '_', ':', '@' or '-'");
    }
    String status = b.path("provisioningStatus").asText("enabled");
    if (!status.equals("enabled") && !status.equals("disabled")) {
      problems.add("'provisioningStatus' must be \"enabled\" or \"disabled\"");
    }
    Allocation allocation = Allocation.HASHED;
    try {
      allocation = Allocation.of(b.path("allocationPolicy").asText("hashed"));
    } catch (IllegalArgumentException e) {
      problems.add("'allocationPolicy': " + e.getMessage());
    }
    List<String> hubs = new ArrayList<>();
    JsonNode hubsNode = b.path("iotHubs");
    if (!hubsNode.isMissingNode() && !hubsNode.isArray()) {
      problems.add("'iotHubs' must be an array of linked hub host names");
    }
    for (JsonNode h : hubsNode) {
      if (!linkedHubs.contains(h.asText())) {
        problems.add(
            "'iotHubs': '"
                + h.asText()
                + "' is not a linked hub (PUT /api/v1/hubs/{hostName} first)");
      }
      hubs.add(h.asText());
    }
    if (allocation == Allocation.STATIC && hubs.size() != 1) {
      problems.add("'allocationPolicy' static needs exactly one hub in 'iotHubs'");
    }
    JsonNode twin = b.get("initialTwin");
    if (twin != null && !twin.isNull() && !twin.isObject()) {
      problems.add(
          "'initialTwin' must be a JSON object (devices receive it as their registration payload)");
    }
    String label = b.path("certificateLabel").asText(null);
    if (label != null && !labels.contains(label)) {
      problems.add(
          "'certificateLabel': no label '"
              + label
              + "'; labels: "
              + String.join(", ", labels.stream().sorted().toList()));
    }
    JsonNode reprovision = b.path("reprovisionPolicy");
    if (!problems.isEmpty()) {
      throw Refusal.badRequest(String.join("; ", problems));
    }
    return new EnrollmentRecord(
        kind,
        id,
        ca,
        deviceId,
        b.path("capabilities").path("iotEdge").asBoolean(false),
        status.equals("enabled"),
        allocation,
        hubs,
        twin == null || twin.isNull() ? null : twin.toString(),
        reprovision.path("updateHubAssignment").asBoolean(true),
        reprovision.path("migrateDeviceData").asBoolean(true),
        label,
        UUID.randomUUID().toString(),
        existing != null ? existing.createdAt() : now,
        now);
  }

  static ObjectNode render(EnrollmentRecord e) {
    ObjectNode n = JSON.createObjectNode();
    n.put(idMember(e.kind()), e.id());
    if (e.kind() == Kind.INDIVIDUAL && e.deviceId() != null) {
      n.put("deviceId", e.deviceId());
    }
    ObjectNode attestation = n.putObject("attestation").put("type", "x509");
    attestation.putObject("x509").putObject("caReferences").put("primary", e.caCertificate());
    n.putObject("capabilities").put("iotEdge", e.iotEdge());
    n.put("provisioningStatus", e.enabled() ? "enabled" : "disabled");
    n.put("allocationPolicy", e.allocation().wire());
    e.iotHubs().forEach(n.putArray("iotHubs")::add);
    if (e.initialTwin() != null) {
      n.set("initialTwin", RegistrationStates.initialTwin(e));
    }
    n.putObject("reprovisionPolicy")
        .put("updateHubAssignment", e.updateHubAssignment())
        .put("migrateDeviceData", e.migrateDeviceData());
    if (e.certificateLabel() != null) {
      n.put("certificateLabel", e.certificateLabel());
    }
    n.put("etag", e.etag());
    n.put("createdDateTimeUtc", e.createdAt().toString());
    n.put("lastUpdatedDateTimeUtc", e.updatedAt().toString());
    return n;
  }

  static ObjectNode render(RegistrationRecord r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("registrationId", r.registrationId());
    n.put(
        r.enrollmentKind() == Kind.GROUP ? "enrollmentGroupId" : "individualEnrollment",
        r.enrollmentId());
    n.put("deviceId", r.deviceId());
    n.put("assignedHub", r.assignedHub());
    n.put("status", "assigned");
    n.put("substatus", r.substatus());
    n.put("certificateSha256", r.certificateSha256());
    n.put("etag", r.etag());
    n.put("createdDateTimeUtc", r.createdAt().toString());
    n.put("lastUpdatedDateTimeUtc", r.lastUpdatedAt().toString());
    return n;
  }
}
