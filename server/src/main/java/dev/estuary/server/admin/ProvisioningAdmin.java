package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.pki.Certificates;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.app.CaCertificateService;
import dev.estuary.server.app.EnrollmentService;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.store.CaCertificateRecord;
import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.EnrollmentRecord.Kind;
import dev.estuary.server.store.HubRecord;
import dev.estuary.server.store.WriteOutcome;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The provisioning part of the admin API: CA certificates and their proof of possession, enrollment
 * groups, individual enrollments, linked hubs and registration records, under {@code /api/v1}; the
 * wire here, the work in {@link EnrollmentService} and {@link CaCertificateService}. Enrollment
 * writes honour {@code If-Match}. Documented in {@code openapi.yaml}.
 */
final class ProvisioningAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "[A-Za-z0-9._:-]{1,128}";

  private final EnrollmentService enrollments;
  private final CaCertificateService cas;
  private final Set<String> labels;
  private final Clock clock;

  ProvisioningAdmin(
      EnrollmentService enrollments, CaCertificateService cas, Set<String> labels, Clock clock) {
    this.enrollments = enrollments;
    this.cas = cas;
    this.labels = Set.copyOf(labels);
    this.clock = clock;
  }

  /** Adds this part's operations to the route table. */
  void addTo(Routes routes) {
    routes
        .add("GET", "/api/v1/ca-certificates", Permission.LIST_CA_CERTIFICATES, this::listCas)
        .add(
            "POST",
            "/api/v1/ca-certificates",
            Permission.ADD_CA_CERTIFICATES,
            c -> createCaCertificate(c))
        .add(
            "GET",
            "/api/v1/ca-certificates/{name}",
            Permission.READ_CA_CERTIFICATES,
            c -> render(ca(c, c.param("name"))))
        .add(
            "DELETE",
            "/api/v1/ca-certificates/{name}",
            Permission.DELETE_CA_CERTIFICATES,
            this::deleteCa)
        .add(
            "POST",
            "/api/v1/ca-certificates/{name}/verification-code",
            Permission.VERIFY_CA_CERTIFICATES,
            this::verificationCode)
        .add(
            "POST",
            "/api/v1/ca-certificates/{name}/verify",
            Permission.VERIFY_CA_CERTIFICATES,
            c -> verify(c, ca(c, c.param("name")), c.body()));
    for (Kind kind : Kind.values()) {
      String base =
          "/api/v1/" + (kind == Kind.GROUP ? "enrollment-groups" : "individual-enrollments");
      routes
          .add("GET", base, Permission.LIST_ENROLLMENTS, c -> listEnrollments(c, kind))
          .add(
              "GET",
              base + "/{id}/registrations",
              Permission.LIST_REGISTRATION_RECORDS,
              c -> registrationsOf(c, kind))
          .add(
              "GET",
              base + "/{id}",
              Permission.READ_ENROLLMENTS,
              c -> EnrollmentJson.render(enrollment(c, kind, c.param("id"))))
          .add("PUT", base + "/{id}", Permission.CHANGE_ENROLLMENTS, c -> putEnrollment(c, kind))
          .add(
              "DELETE",
              base + "/{id}",
              Permission.DELETE_ENROLLMENTS,
              c -> deleteEnrollment(c, kind));
    }
    routes
        .add("GET", "/api/v1/hubs", Permission.LIST_LINKED_HUBS, this::listHubs)
        .add("PUT", "/api/v1/hubs/{host}", Permission.LINK_HUBS, this::putHub)
        .add("DELETE", "/api/v1/hubs/{host}", Permission.UNLINK_HUBS, this::deleteHub)
        .add(
            "GET",
            "/api/v1/registrations/{id}",
            Permission.READ_REGISTRATION_RECORDS,
            this::registration)
        .add(
            "DELETE",
            "/api/v1/registrations/{id}",
            Permission.DELETE_REGISTRATION_RECORDS,
            this::deleteRegistration);
  }

  private JsonNode listCas(Routes.Call c) throws NotPermitted {
    ArrayNode list = JSON.createArrayNode();
    cas.list(c.actor()).forEach(ca -> list.add(render(ca)));
    return list;
  }

  private JsonNode deleteCa(Routes.Call c) throws Refusal, NotPermitted {
    String name = c.param("name");
    WriteOutcome outcome = cas.delete(c.actor(), name);
    switch (outcome) {
      case NOT_FOUND -> throw new Refusal(404, "no CA certificate named '" + name + "'");
      case IN_USE ->
          throw new Refusal(
              409,
              "CA certificate '"
                  + name
                  + "' is the attestation of an enrollment; change or delete that first");
      default -> {}
    }
    return JSON.createObjectNode().put("deleted", name);
  }

  private JsonNode verificationCode(Routes.Call c) throws Refusal, NotPermitted {
    String name = c.param("name");
    CaCertificateService.Coded coded = cas.newVerificationCode(c.actor(), ca(c, name));
    write(coded.outcome(), name);
    return render(coded.ca()).put("verificationCode", coded.code());
  }

  private ObjectNode createCaCertificate(Routes.Call c) throws Refusal, IOException, NotPermitted {
    JsonNode b = c.body();
    String name = b.path("name").asText("");
    if (!name.matches(NAME)) {
      throw Refusal.badRequest("'name' must be 1-128 letters, digits, '.', '_', ':' or '-'");
    }
    X509Certificate cert = certificate(b, "certificate");
    if (cert.getBasicConstraints() < 0) {
      throw Refusal.badRequest(
          "'certificate' is not a CA certificate (no basicConstraints CA:TRUE)");
    }
    Instant now = now();
    CaCertificateRecord ca =
        new CaCertificateRecord(
            name,
            Certificates.der(cert),
            cert.getSubjectX500Principal().getName(),
            Thumbprints.sha256(cert),
            b.path("verified").asBoolean(false),
            null,
            UUID.randomUUID().toString(),
            now,
            now);
    if (cas.create(c.actor(), ca) == WriteOutcome.CONFLICT) {
      throw new Refusal(
          409, "a CA certificate named '" + name + "' exists; delete it first to replace it");
    }
    return render(ca);
  }

  /**
   * Proof of possession: a certificate whose CN is the verification code, signed by the CA's key.
   */
  private ObjectNode verify(Routes.Call c, CaCertificateRecord ca, JsonNode b)
      throws Refusal, NotPermitted {
    // No code asked for: 409 before the body is looked at (the service checks the role first).
    X509Certificate proof = ca.verificationCode() == null ? null : certificate(b, "certificate");
    switch (cas.verify(c.actor(), ca, proof)) {
      case CaCertificateService.NoCode n ->
          throw new Refusal(
              409,
              "CA certificate '"
                  + ca.name()
                  + "' has no verification code; POST .../verification-code first");
      case CaCertificateService.WrongCode w ->
          throw Refusal.badRequest(
              "the certificate's CN '"
                  + w.commonName()
                  + "' is not the verification code of CA certificate '"
                  + ca.name()
                  + "'");
      case CaCertificateService.WrongKey w ->
          throw Refusal.badRequest(
              "the certificate is not signed by the key of CA certificate '" + ca.name() + "'");
      case CaCertificateService.Verified v -> {
        write(v.outcome(), ca.name());
        return render(v.ca());
      }
    }
  }

  private JsonNode listEnrollments(Routes.Call c, Kind kind) throws NotPermitted {
    ArrayNode list = JSON.createArrayNode();
    enrollments.listEnrollments(c.actor(), kind).forEach(e -> list.add(EnrollmentJson.render(e)));
    return list;
  }

  private JsonNode registrationsOf(Routes.Call c, Kind kind) throws Refusal, NotPermitted {
    String id = c.param("id");
    enrollment(c, kind, id);
    ArrayNode list = JSON.createArrayNode();
    enrollments
        .registrationsOf(c.actor(), kind, id)
        .forEach(r -> list.add(EnrollmentJson.render(r)));
    return list;
  }

  private JsonNode putEnrollment(Routes.Call c, Kind kind)
      throws Refusal, IOException, NotPermitted {
    String id = c.param("id");
    String ifMatch = c.header(HttpHeader.IF_MATCH);
    if (!id.matches(kind == Kind.GROUP ? NAME : "[A-Za-z0-9._:-]{1,64}")) {
      throw Refusal.badRequest(
          "'"
              + id
              + "' is not a valid "
              + EnrollmentJson.idMember(kind)
              + " (1-"
              + (kind == Kind.GROUP ? 128 : 64)
              + " letters, digits, '.', '_', ':' or '-')");
    }
    EnrollmentRecord existing = enrollments.findEnrollment(c.actor(), kind, id).orElse(null);
    Set<String> hubs =
        enrollments.listHubs(c.actor()).stream()
            .map(HubRecord::hostName)
            .collect(Collectors.toSet());
    Set<String> caNames =
        cas.list(c.actor()).stream().map(CaCertificateRecord::name).collect(Collectors.toSet());
    EnrollmentRecord e =
        EnrollmentJson.parse(c.body(), kind, id, labels, hubs, caNames, existing, now());
    if (enrollments.putEnrollment(c.actor(), e, ifMatch, existing == null)
        == WriteOutcome.PRECONDITION_FAILED) {
      throw new Refusal(
          412,
          "If-Match "
              + ifMatch
              + " does not match the etag of "
              + kind.wire()
              + " enrollment '"
              + id
              + "'");
    }
    return EnrollmentJson.render(e);
  }

  private JsonNode deleteEnrollment(Routes.Call c, Kind kind) throws Refusal, NotPermitted {
    String id = c.param("id");
    String ifMatch = c.header(HttpHeader.IF_MATCH);
    switch (enrollments.deleteEnrollment(c.actor(), kind, id, ifMatch)) {
      case NOT_FOUND -> throw new Refusal(404, "no " + kind.wire() + " enrollment '" + id + "'");
      case PRECONDITION_FAILED ->
          throw new Refusal(
              412,
              "If-Match "
                  + ifMatch
                  + " does not match the etag of "
                  + kind.wire()
                  + " enrollment '"
                  + id
                  + "'");
      default -> {}
    }
    return JSON.createObjectNode().put("deleted", id);
  }

  private JsonNode listHubs(Routes.Call c) throws NotPermitted {
    ArrayNode list = JSON.createArrayNode();
    enrollments
        .listHubs(c.actor())
        .forEach(
            h ->
                list.addObject().put("hostName", h.hostName()).put("allocationWeight", h.weight()));
    return list;
  }

  private JsonNode putHub(Routes.Call c) throws Refusal, IOException, NotPermitted {
    String host = c.param("host");
    if (!host.matches("[A-Za-z0-9.-]{1,255}")) {
      throw Refusal.badRequest("'" + host + "' is not a host name");
    }
    JsonNode weight = c.body().path("allocationWeight");
    if (!weight.isMissingNode()
        && !(weight.canConvertToInt() && weight.asInt() >= 1 && weight.asInt() <= 1000)) {
      throw Refusal.badRequest("'allocationWeight' must be an integer from 1 to 1000");
    }
    enrollments.putHub(c.actor(), new HubRecord(host, weight.asInt(1)));
    return JSON.createObjectNode().put("hostName", host).put("allocationWeight", weight.asInt(1));
  }

  private JsonNode deleteHub(Routes.Call c) throws Refusal, NotPermitted {
    String host = c.param("host");
    switch (enrollments.deleteHub(c.actor(), host)) {
      case EnrollmentService.HubInUse u ->
          throw new Refusal(
              409,
              "hub '"
                  + host
                  + "' is named by enrollments "
                  + String.join(
                      ", ",
                      u.users().stream().map(e -> e.kind().wire() + " '" + e.id() + "'").toList())
                  + "; change them first");
      case EnrollmentService.NoSuchHub n -> throw new Refusal(404, "no linked hub '" + host + "'");
      case EnrollmentService.Unlinked u -> {
        return JSON.createObjectNode().put("deleted", host);
      }
    }
  }

  private JsonNode registration(Routes.Call c) throws Refusal, NotPermitted {
    String id = c.param("id");
    return EnrollmentJson.render(
        enrollments
            .findRegistration(c.actor(), id)
            .orElseThrow(() -> new Refusal(404, "no registration record for '" + id + "'")));
  }

  private JsonNode deleteRegistration(Routes.Call c) throws Refusal, NotPermitted {
    String id = c.param("id");
    if (!enrollments.deleteRegistration(c.actor(), id)) {
      throw new Refusal(404, "no registration record for '" + id + "'");
    }
    return JSON.createObjectNode().put("deleted", id);
  }

  /** To the microsecond, as the database keeps it: what a write answers is what a read answers. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private CaCertificateRecord ca(Routes.Call c, String name) throws Refusal, NotPermitted {
    return cas.find(c.actor(), name)
        .orElseThrow(() -> new Refusal(404, "no CA certificate named '" + name + "'"));
  }

  private EnrollmentRecord enrollment(Routes.Call c, Kind kind, String id)
      throws Refusal, NotPermitted {
    return enrollments
        .findEnrollment(c.actor(), kind, id)
        .orElseThrow(() -> new Refusal(404, "no " + kind.wire() + " enrollment '" + id + "'"));
  }

  private static void write(WriteOutcome outcome, String name) throws Refusal {
    if (outcome != WriteOutcome.UPDATED) {
      throw new Refusal(
          409, "CA certificate '" + name + "' changed meanwhile (" + outcome + "); try again");
    }
  }

  private static X509Certificate certificate(JsonNode b, String member) throws Refusal {
    String pem = b.path(member).asText("");
    try {
      List<X509Certificate> certs = Pem.certificates(pem);
      if (certs.size() != 1) {
        throw Refusal.badRequest(
            "'" + member + "' must hold exactly one PEM certificate; it holds " + certs.size());
      }
      return certs.getFirst();
    } catch (PkiException e) {
      throw Refusal.badRequest("'" + member + "' is not a PEM certificate: " + e.getMessage());
    }
  }

  private static ObjectNode render(CaCertificateRecord ca) {
    return JSON.createObjectNode()
        .put("name", ca.name())
        .put("subject", ca.subject())
        .put("sha256Thumbprint", ca.sha256())
        .put("verified", ca.verified())
        .put("etag", ca.etag())
        .put("createdDateTimeUtc", ca.createdAt().toString())
        .put("lastUpdatedDateTimeUtc", ca.updatedAt().toString())
        .put("certificate", Pem.encode(ca.certificate()));
  }
}
