package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.pki.Certificates;
import dev.estuary.pki.Csr;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.store.CaCertificateRecord;
import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.EnrollmentRecord.Kind;
import dev.estuary.server.store.EnrollmentStore;
import dev.estuary.server.store.HubRecord;
import dev.estuary.server.store.RegistrationStore;
import dev.estuary.server.store.WriteOutcome;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning part of the admin API: CA certificates and their proof of possession, enrollment
 * groups, individual enrollments, linked hubs and registration records, under {@code /api/v1}.
 * Enrollment writes honour {@code If-Match}. Documented in {@code openapi.yaml}.
 */
final class ProvisioningAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisioningAdmin.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "[A-Za-z0-9._:-]{1,128}";

  private final EnrollmentStore enrollments;
  private final RegistrationStore registrations;
  private final Set<String> labels;
  private final Clock clock;
  private final SecureRandom random;

  ProvisioningAdmin(
      EnrollmentStore enrollments,
      RegistrationStore registrations,
      Set<String> labels,
      Clock clock,
      SecureRandom random) {
    this.enrollments = enrollments;
    this.registrations = registrations;
    this.labels = Set.copyOf(labels);
    this.clock = clock;
    this.random = random;
  }

  /**
   * @param path the path below {@code /api/v1}
   * @return the answer, or null when the path is none of this part's resources
   */
  JsonNode route(Request request, String method, String path) throws Refusal, IOException {
    String[] s = path.substring(1).split("/", -1);
    String ifMatch = request.getHeaders().get(HttpHeader.IF_MATCH);
    return switch (s[0]) {
      case "ca-certificates" -> caCertificates(request, method, s);
      case "enrollment-groups" -> enrollments(request, method, s, Kind.GROUP, ifMatch);
      case "individual-enrollments" -> enrollments(request, method, s, Kind.INDIVIDUAL, ifMatch);
      case "hubs" -> hubs(request, method, s);
      case "registrations" -> s.length == 2 ? registration(method, s[1]) : null;
      default -> null;
    };
  }

  private JsonNode caCertificates(Request request, String method, String[] s)
      throws Refusal, IOException {
    if (s.length == 1 && method.equals("GET")) {
      ArrayNode list = JSON.createArrayNode();
      enrollments.listCaCertificates().forEach(ca -> list.add(render(ca)));
      return list;
    }
    if (s.length == 1 && method.equals("POST")) {
      return createCaCertificate(AdminHandler.body(request));
    }
    if (s.length == 2 && method.equals("GET")) {
      return render(ca(s[1]));
    }
    if (s.length == 2 && method.equals("DELETE")) {
      WriteOutcome outcome = enrollments.deleteCaCertificate(s[1]);
      switch (outcome) {
        case NOT_FOUND -> throw new Refusal(404, "no CA certificate named '" + s[1] + "'");
        case IN_USE ->
            throw new Refusal(
                409,
                "CA certificate '"
                    + s[1]
                    + "' is the attestation of an enrollment; change or delete that first");
        default -> LOG.info("deleted CA certificate {}", s[1]);
      }
      return JSON.createObjectNode().put("deleted", s[1]);
    }
    if (s.length == 3 && s[2].equals("verification-code") && method.equals("POST")) {
      CaCertificateRecord ca = ca(s[1]);
      String code = HexFormat.of().withUpperCase().formatHex(bytes(24));
      CaCertificateRecord coded = ca.with(ca.verified(), code, UUID.randomUUID().toString(), now());
      write(enrollments.updateCaCertificate(coded, ca.etag()), s[1]);
      return render(coded).put("verificationCode", code);
    }
    if (s.length == 3 && s[2].equals("verify") && method.equals("POST")) {
      return verify(ca(s[1]), AdminHandler.body(request));
    }
    return null;
  }

  private ObjectNode createCaCertificate(JsonNode b) throws Refusal {
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
    if (enrollments.createCaCertificate(ca) == WriteOutcome.CONFLICT) {
      throw new Refusal(
          409, "a CA certificate named '" + name + "' exists; delete it first to replace it");
    }
    LOG.info("added CA certificate {} ({}), verified={}", name, ca.subject(), ca.verified());
    return render(ca);
  }

  /**
   * Proof of possession: a certificate whose CN is the verification code, signed by the CA's key.
   */
  private ObjectNode verify(CaCertificateRecord ca, JsonNode b) throws Refusal {
    if (ca.verificationCode() == null) {
      throw new Refusal(
          409,
          "CA certificate '"
              + ca.name()
              + "' has no verification code; POST .../verification-code first");
    }
    X509Certificate proof = certificate(b, "certificate");
    String cn = Csr.commonName(X500Name.getInstance(proof.getSubjectX500Principal().getEncoded()));
    if (!cn.equals(ca.verificationCode())) {
      throw Refusal.badRequest(
          "the certificate's CN '"
              + cn
              + "' is not the verification code of CA certificate '"
              + ca.name()
              + "'");
    }
    try {
      proof.verify(ca.certificate().getPublicKey());
    } catch (GeneralSecurityException e) {
      throw Refusal.badRequest(
          "the certificate is not signed by the key of CA certificate '" + ca.name() + "'");
    }
    CaCertificateRecord verified = ca.with(true, null, UUID.randomUUID().toString(), now());
    write(enrollments.updateCaCertificate(verified, ca.etag()), ca.name());
    LOG.info("verified CA certificate {} by proof of possession", ca.name());
    return render(verified);
  }

  private JsonNode enrollments(
      Request request, String method, String[] s, Kind kind, String ifMatch)
      throws Refusal, IOException {
    if (s.length == 1 && method.equals("GET")) {
      ArrayNode list = JSON.createArrayNode();
      enrollments.listEnrollments(kind).forEach(e -> list.add(EnrollmentJson.render(e)));
      return list;
    }
    if (s.length == 3 && s[2].equals("registrations") && method.equals("GET")) {
      enrollment(kind, s[1]);
      ArrayNode list = JSON.createArrayNode();
      registrations.listByEnrollment(kind, s[1]).forEach(r -> list.add(EnrollmentJson.render(r)));
      return list;
    }
    if (s.length != 2) {
      return null;
    }
    String id = s[1];
    switch (method) {
      case "GET" -> {
        return EnrollmentJson.render(enrollment(kind, id));
      }
      case "PUT" -> {
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
        EnrollmentRecord existing = enrollments.findEnrollment(kind, id).orElse(null);
        Set<String> hubs =
            enrollments.listHubs().stream().map(HubRecord::hostName).collect(Collectors.toSet());
        Set<String> cas =
            enrollments.listCaCertificates().stream()
                .map(CaCertificateRecord::name)
                .collect(Collectors.toSet());
        EnrollmentRecord e =
            EnrollmentJson.parse(
                AdminHandler.body(request), kind, id, labels, hubs, cas, existing, now());
        if (enrollments.putEnrollment(e, ifMatch) == WriteOutcome.PRECONDITION_FAILED) {
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
        LOG.info("{} {} enrollment {}", existing == null ? "created" : "replaced", kind.wire(), id);
        return EnrollmentJson.render(e);
      }
      case "DELETE" -> {
        switch (enrollments.deleteEnrollment(kind, id, ifMatch)) {
          case NOT_FOUND ->
              throw new Refusal(404, "no " + kind.wire() + " enrollment '" + id + "'");
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
          default -> LOG.info("deleted {} enrollment {}", kind.wire(), id);
        }
        return JSON.createObjectNode().put("deleted", id);
      }
      default -> {
        return null;
      }
    }
  }

  private JsonNode hubs(Request request, String method, String[] s) throws Refusal, IOException {
    if (s.length == 1 && method.equals("GET")) {
      ArrayNode list = JSON.createArrayNode();
      enrollments
          .listHubs()
          .forEach(
              h ->
                  list.addObject()
                      .put("hostName", h.hostName())
                      .put("allocationWeight", h.weight()));
      return list;
    }
    if (s.length != 2) {
      return null;
    }
    String host = s[1];
    if (method.equals("PUT")) {
      if (!host.matches("[A-Za-z0-9.-]{1,255}")) {
        throw Refusal.badRequest("'" + host + "' is not a host name");
      }
      JsonNode weight = AdminHandler.body(request).path("allocationWeight");
      if (!weight.isMissingNode()
          && !(weight.canConvertToInt() && weight.asInt() >= 1 && weight.asInt() <= 1000)) {
        throw Refusal.badRequest("'allocationWeight' must be an integer from 1 to 1000");
      }
      enrollments.putHub(new HubRecord(host, weight.asInt(1)));
      LOG.info("linked hub {} (weight {})", host, weight.asInt(1));
      return JSON.createObjectNode().put("hostName", host).put("allocationWeight", weight.asInt(1));
    }
    if (method.equals("DELETE")) {
      List<String> users =
          Stream.of(Kind.values())
              .flatMap(k -> enrollments.listEnrollments(k).stream())
              .filter(e -> e.iotHubs().contains(host))
              .map(e -> e.kind().wire() + " '" + e.id() + "'")
              .toList();
      if (!users.isEmpty()) {
        throw new Refusal(
            409,
            "hub '"
                + host
                + "' is named by enrollments "
                + String.join(", ", users)
                + "; change them first");
      }
      if (!enrollments.deleteHub(host)) {
        throw new Refusal(404, "no linked hub '" + host + "'");
      }
      LOG.info("unlinked hub {}", host);
      return JSON.createObjectNode().put("deleted", host);
    }
    return null;
  }

  private JsonNode registration(String method, String id) throws Refusal {
    if (method.equals("GET")) {
      return EnrollmentJson.render(
          registrations
              .find(id)
              .orElseThrow(() -> new Refusal(404, "no registration record for '" + id + "'")));
    }
    if (method.equals("DELETE")) {
      if (!registrations.delete(id)) {
        throw new Refusal(404, "no registration record for '" + id + "'");
      }
      LOG.info("deleted registration record {}", id);
      return JSON.createObjectNode().put("deleted", id);
    }
    return null;
  }

  /** To the microsecond, as the database keeps it: what a write answers is what a read answers. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private CaCertificateRecord ca(String name) throws Refusal {
    return enrollments
        .findCaCertificate(name)
        .orElseThrow(() -> new Refusal(404, "no CA certificate named '" + name + "'"));
  }

  private EnrollmentRecord enrollment(Kind kind, String id) throws Refusal {
    return enrollments
        .findEnrollment(kind, id)
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

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
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
