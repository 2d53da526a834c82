package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.revocation.RevocationReason;
import dev.estuary.server.revocation.RevocationService;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.RegistrationStore;
import dev.estuary.server.store.RevocationStore;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Request;

/**
 * The revocation part of the admin API: {@code POST /certificates/{serial}/revoke} (an RFC 5280
 * reason, optionally the issuer and an invalidity date) and devices by registration id: {@code GET
 * /devices/{id}}, {@code POST /devices/{id}/disable}, {@code POST /devices/{id}/enable}. The wire
 * JSON is here; the decisions are {@link RevocationService}'s.
 */
public final class RevocationAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** DPS registration ids: lower-case letters, digits and '-', '.', '_', ':' (at most 128). */
  static final Pattern REGISTRATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final RevocationService service;
  private final CertificateStore certificates;
  private final RegistrationStore registrations;

  public RevocationAdmin(
      RevocationService service, CertificateStore certificates, RegistrationStore registrations) {
    this.service = service;
    this.certificates = certificates;
    this.registrations = registrations;
  }

  /**
   * Serves {@code method path} (below {@code /api/v1}) when it is one of this part's operations;
   * null when it is not.
   */
  JsonNode route(Request request, String method, String path) throws Refusal, IOException {
    if (path.startsWith("/certificates/") && path.endsWith("/revoke") && method.equals("POST")) {
      String hex = path.substring("/certificates/".length(), path.length() - "/revoke".length());
      return revoke(serial(hex), AdminHandler.body(request));
    }
    if (!path.startsWith("/devices/")) {
      return null;
    }
    String rest = path.substring("/devices/".length());
    String action = null;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      action = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
    }
    String id = org.eclipse.jetty.util.URIUtil.decodePath(rest);
    if (!REGISTRATION_ID.matcher(id).matches()) {
      throw Refusal.badRequest(
          "'"
              + LogSafe.escape(id)
              + "' is not a registration id (1-128 letters, digits, '.', '_', ':' or '-')");
    }
    if (action == null && method.equals("GET")) {
      return device(id);
    }
    if ("disable".equals(action) && method.equals("POST")) {
      JsonNode b = AdminHandler.body(request);
      String note = b.hasNonNull("note") ? b.get("note").asText() : null;
      if (note != null && note.length() > 1024) {
        throw Refusal.badRequest("'note' is longer than 1024 characters");
      }
      service.disable(id, note);
      return device(id);
    }
    if ("enable".equals(action) && method.equals("POST")) {
      boolean was = service.enable(id);
      return device(id).put("wasDisabled", was);
    }
    return null;
  }

  private JsonNode revoke(BigInteger serial, JsonNode b) throws Refusal {
    String reasonName = b.path("reason").asText("unspecified");
    RevocationReason reason =
        RevocationReason.of(reasonName)
            .orElseThrow(
                () ->
                    Refusal.badRequest(
                        "'reason': '"
                            + LogSafe.escape(reasonName)
                            + "' is not an RFC 5280 revocation reason; give one of "
                            + RevocationReason.names()));
    String issuer = b.hasNonNull("issuer") ? b.get("issuer").asText() : null;
    Instant invalidity = null;
    if (b.hasNonNull("invalidityDate")) {
      try {
        invalidity = Instant.parse(b.get("invalidityDate").asText());
      } catch (DateTimeParseException e) {
        throw Refusal.badRequest(
            "'invalidityDate': '"
                + LogSafe.escape(b.get("invalidityDate").asText())
                + "' is not an RFC 3339 UTC time (e.g. 2026-12-01T08:00:00Z)");
      }
    }
    Optional<RevocationService.Revocation> r;
    try {
      r = service.revoke(serial, issuer, reason, invalidity);
    } catch (IllegalArgumentException e) {
      throw Refusal.badRequest(e.getMessage());
    }
    if (r.isEmpty()) {
      throw new Refusal(
          404,
          "no certificate with serial "
              + serial.toString(16)
              + (issuer == null ? "" : " from issuer '" + LogSafe.escape(issuer) + "'"));
    }
    ObjectNode out = AdminHandler.certificate(r.get().certificate());
    out.put("alreadyRevoked", r.get().already());
    return out;
  }

  private ObjectNode device(String id) {
    ObjectNode out = JSON.createObjectNode().put("registrationId", id);
    Optional<RevocationStore.DisabledDevice> d = service.disabled(id);
    out.put("disabled", d.isPresent());
    out.put("disabledAt", d.map(x -> x.disabledAt().toString()).orElse(null));
    out.put("note", d.map(RevocationStore.DisabledDevice::note).orElse(null));
    registrations
        .find(id)
        .ifPresentOrElse(
            r ->
                out.putObject("registration")
                    .put("assignedHub", r.assignedHub())
                    .put("deviceId", r.deviceId())
                    .put("lastUpdatedAt", r.lastUpdatedAt().toString()),
            () -> out.putNull("registration"));
    ArrayNode certs = out.putArray("certificates");
    for (CertificateRecord c : certificates.findBySubject("CN=" + id, 20)) {
      certs.add(AdminHandler.certificate(c));
    }
    return out;
  }

  private static BigInteger serial(String hex) throws Refusal {
    try {
      return new BigInteger(hex.replace(":", ""), 16);
    } catch (NumberFormatException e) {
      throw Refusal.badRequest("'" + LogSafe.escape(hex) + "' is not a hexadecimal serial number");
    }
  }
}
