package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.auth.Actor;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.revocation.RevocationReason;
import dev.estuary.server.revocation.RevocationService;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.RegistrationStore;
import dev.estuary.server.store.RevocationStore;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.URIUtil;

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

  /** Adds this part's operations to the route table. */
  void addTo(Routes routes) {
    routes
        .add(
            "POST",
            "/api/v1/certificates/{serial}/revoke",
            Permission.REVOKE_CERTIFICATES,
            c -> revoke(c.actor(), serial(c.param("serial")), c.body()))
        .add(
            "GET",
            "/api/v1/devices/{id}",
            Permission.READ_DEVICES,
            c -> device(c.actor(), deviceId(c)))
        .add(
            "POST",
            "/api/v1/devices/{id}/disable",
            Permission.DISABLE_DEVICES,
            c -> {
              String id = deviceId(c);
              JsonNode b = c.body();
              String note = b.hasNonNull("note") ? b.get("note").asText() : null;
              if (note != null && note.length() > 1024) {
                throw Refusal.badRequest("'note' is longer than 1024 characters");
              }
              service.disable(c.actor(), id, note);
              return device(c.actor(), id);
            })
        .add(
            "POST",
            "/api/v1/devices/{id}/enable",
            Permission.DISABLE_DEVICES,
            c -> {
              String id = deviceId(c);
              boolean was = service.enable(c.actor(), id);
              return device(c.actor(), id).put("wasDisabled", was);
            });
  }

  private static String deviceId(Routes.Call c) throws Refusal {
    String id = URIUtil.decodePath(c.param("id"));
    if (!REGISTRATION_ID.matcher(id).matches()) {
      throw Refusal.badRequest(
          "'"
              + LogSafe.escape(id)
              + "' is not a registration id (1-128 letters, digits, '.', '_', ':' or '-')");
    }
    return id;
  }

  private JsonNode revoke(Actor actor, BigInteger serial, JsonNode b) throws Refusal, NotPermitted {
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
      r = service.revoke(actor, serial, issuer, reason, invalidity);
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

  private ObjectNode device(Actor actor, String id) throws NotPermitted {
    ObjectNode out = JSON.createObjectNode().put("registrationId", id);
    Optional<RevocationStore.DisabledDevice> d = service.disabled(actor, id);
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
