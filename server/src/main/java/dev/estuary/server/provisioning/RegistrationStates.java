package dev.estuary.server.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.pki.Certificates;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.RegistrationRecord;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The JSON the device API answers with, member for member as DPS writes it: the operation ({@code
 * operationId}, {@code status}, {@code registrationState}) and the registration state ({@code
 * registrationId, createdDateTimeUtc, assignedHub, deviceId, status, substatus,
 * lastUpdatedDateTimeUtc, etag, payload?, x509 {enrollmentGroupId?, certificateInfo}}, plus {@code
 * issuedCertificateChain} when a CSR was signed).
 */
public final class RegistrationStates {
  static final ObjectMapper JSON = new ObjectMapper();

  private RegistrationStates() {}

  /** The enrollment's initial twin (a JSON object), handed to devices as their payload; or null. */
  public static JsonNode initialTwin(EnrollmentRecord enrollment) {
    if (enrollment.initialTwin() == null) {
      return null;
    }
    try {
      return JSON.readTree(enrollment.initialTwin());
    } catch (IOException e) {
      throw new IllegalStateException(
          "enrollment '" + enrollment.id() + "' holds an initial twin that is not JSON", e);
    }
  }

  /** The answer to the registration PUT: 202, still assigning. */
  static ObjectNode assigning(String operationId, String registrationId) {
    ObjectNode op =
        JSON.createObjectNode().put("operationId", operationId).put("status", "assigning");
    op.putObject("registrationState")
        .put("registrationId", registrationId)
        .put("status", "assigning");
    return op;
  }

  /** The answer to the operation GET once assigned. */
  static ObjectNode assigned(String operationId, ObjectNode registrationState) {
    ObjectNode op =
        JSON.createObjectNode().put("operationId", operationId).put("status", "assigned");
    op.set("registrationState", registrationState);
    return op;
  }

  /**
   * @param payload the JSON handed to the device (the enrollment's initial twin), or null
   * @param issued the DER of the certificate signed from the registration's CSR and of its CA chain
   *     (leaf first), or empty
   */
  static ObjectNode registrationState(RegistrationRecord r, JsonNode payload, List<byte[]> issued) {
    ObjectNode s = JSON.createObjectNode();
    s.put("registrationId", r.registrationId());
    s.put("createdDateTimeUtc", r.createdAt().toString());
    s.put("assignedHub", r.assignedHub());
    s.put("deviceId", r.deviceId());
    s.put("status", "assigned");
    s.put("substatus", r.substatus());
    s.put("lastUpdatedDateTimeUtc", r.lastUpdatedAt().toString());
    s.put("etag", r.etag());
    if (payload != null) {
      s.set("payload", payload);
    }
    ObjectNode x509 = s.putObject("x509");
    if (r.enrollmentKind() == EnrollmentRecord.Kind.GROUP) {
      x509.put("enrollmentGroupId", r.enrollmentId());
    }
    x509.set("certificateInfo", certificateInfo(Certificates.decode(r.certificateDer())));
    if (!issued.isEmpty()) {
      ArrayNode chain = s.putArray("issuedCertificateChain");
      for (byte[] der : issued) {
        chain.add(Base64.getEncoder().encodeToString(der));
      }
    }
    return s;
  }

  private static ObjectNode certificateInfo(X509Certificate c) {
    HexFormat hex = HexFormat.of().withUpperCase();
    return JSON.createObjectNode()
        .put("subjectName", c.getSubjectX500Principal().getName())
        .put("sha1Thumbprint", Thumbprints.sha1(c).toUpperCase(Locale.ROOT))
        .put("sha256Thumbprint", Thumbprints.sha256(c).toUpperCase(Locale.ROOT))
        .put("issuerName", c.getIssuerX500Principal().getName())
        .put("notBeforeUtc", c.getNotBefore().toInstant().toString())
        .put("notAfterUtc", c.getNotAfter().toInstant().toString())
        .put("serialNumber", hex.formatHex(c.getSerialNumber().toByteArray()))
        .put("version", c.getVersion());
  }
}
