package dev.estuary.server.provisioning;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.estuary.pki.Csr;
import dev.estuary.pki.KeyPolicy;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.SignatureEngine;
import java.io.IOException;
import java.util.Base64;

/**
 * The body of a registration PUT: {@code {"registrationId": "...", "payload": <any JSON>, "csr":
 * "<base64 DER PKCS#10>"}}, each member optional. The CSR is only base64-decoded here: it is parsed
 * and its signature verified by {@link #csr(KeyPolicy, String)} once the scope and the device's
 * certificate have been checked and the label's key policy is known (cheap checks first).
 *
 * @param payload what the device sent, of any JSON type, or null
 * @param csrDer the DER of the CSR sent, not yet parsed or verified, or null
 */
public record RegistrationRequest(JsonNode payload, byte[] csrDer) {
  /** Strict JSON: no trailing content after the object, no member twice. */
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  /**
   * @param pathRegistrationId the registration id of the path, which the body's must equal
   * @throws ProvisioningRefusal (400004) naming what is wrong
   */
  public static RegistrationRequest parse(byte[] body, String pathRegistrationId)
      throws ProvisioningRefusal {
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
      throw invalid(
          "the body must be a JSON object such as {\"registrationId\": \""
              + pathRegistrationId
              + "\"}");
    }
    JsonNode id = json.get("registrationId");
    if (id != null && !id.isNull() && !(id.isTextual() && id.asText().equals(pathRegistrationId))) {
      throw invalid(
          "the body's registrationId is not the registration id of the path, '"
              + pathRegistrationId
              + "'");
    }
    return new RegistrationRequest(json.get("payload"), csrDer(json.get("csr")));
  }

  /** True when the body carried a CSR. */
  public boolean hasCsr() {
    return csrDer != null;
  }

  /**
   * The CSR, parsed: its key checked against {@code policy} before {@code signatures} verifies its
   * signature, its commonName the registration id.
   *
   * @throws ProvisioningRefusal (400004) naming what is wrong
   */
  public Csr csr(KeyPolicy policy, SignatureEngine signatures, String registrationId)
      throws ProvisioningRefusal {
    Csr csr;
    try {
      csr = Csr.parse(csrDer, policy, signatures);
    } catch (PkiException e) {
      throw invalid("'csr': " + e.getMessage());
    }
    if (!csr.commonName().equals(registrationId)) {
      throw invalid(
          "the CSR's commonName '"
              + csr.commonName()
              + "' is not the registration id '"
              + registrationId
              + "'");
    }
    return csr;
  }

  private static byte[] csrDer(JsonNode node) throws ProvisioningRefusal {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw invalid("'csr' must be a string: the base64 of a DER PKCS#10 certificate request");
    }
    try {
      return Base64.getMimeDecoder().decode(node.asText());
    } catch (IllegalArgumentException e) {
      throw invalid("'csr' is not base64: " + e.getMessage());
    }
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
