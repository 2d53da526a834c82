package dev.estuary.server.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.pki.Csr;
import dev.estuary.pki.PkiException;
import java.io.IOException;
import java.util.Base64;

/**
 * The body of a registration PUT: {@code {"registrationId": "...", "payload": <any JSON>, "csr":
 * "<base64 DER PKCS#10>"}}, each member optional.
 *
 * @param payload what the device sent, of any JSON type, or null
 * @param csr the parsed and signature-checked CSR, or null
 */
public record RegistrationRequest(JsonNode payload, Csr csr) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param pathRegistrationId the registration id of the path, which the body's must equal
   * @throws ProvisioningRefusal (400004) naming what is wrong
   */
  public static RegistrationRequest parse(byte[] body, String pathRegistrationId) throws ProvisioningRefusal {
    if (body.length == 0) {
      return new RegistrationRequest(null, null);
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (IOException e) {
      throw invalid("the body is not JSON: " + firstLine(e.getMessage()));
    }
    if (json == null || !json.isObject()) {
      throw invalid("the body must be a JSON object such as {\"registrationId\": \"" + pathRegistrationId + "\"}");
    }
    JsonNode id = json.get("registrationId");
    if (id != null && !id.isNull() && !(id.isTextual() && id.asText().equals(pathRegistrationId))) {
      throw invalid("the body's registrationId " + id + " is not the registration id of the path, '" + pathRegistrationId + "'");
    }
    return new RegistrationRequest(json.get("payload"), csr(json.get("csr"), pathRegistrationId));
  }

  private static Csr csr(JsonNode node, String registrationId) throws ProvisioningRefusal {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw invalid("'csr' must be a string: the base64 of a DER PKCS#10 certificate request");
    }
    Csr csr;
    try {
      csr = Csr.parse(Base64.getMimeDecoder().decode(node.asText()));
    } catch (IllegalArgumentException e) {
      throw invalid("'csr' is not base64: " + e.getMessage());
    } catch (PkiException e) {
      throw invalid("'csr': " + e.getMessage());
    }
    if (!csr.commonName().equals(registrationId)) {
      throw invalid("the CSR's commonName '" + csr.commonName() + "' is not the registration id '" + registrationId + "'");
    }
    return csr;
  }

  private static ProvisioningRefusal invalid(String message) {
    return new ProvisioningRefusal(ErrorCode.INVALID_REQUEST, message);
  }

  /** Jackson's messages continue with the source location on further lines. */
  private static String firstLine(String message) {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
