package dev.estuary.server.console;

import dev.estuary.pki.Pem;
import dev.estuary.server.app.CaCertificateService;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.store.CaCertificateRecord;
import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.HubRecord;
import dev.estuary.server.store.WriteOutcome;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * The provisioning service's configuration: enrollment groups and individual enrollments, the CA
 * certificates they trust (with proof of possession: a verification code, then a certificate with
 * that code as its CN signed by the CA's key), and the linked hubs with their registrations.
 */
final class ProvisioningPages {
  private final ConsolePages pages;

  ProvisioningPages(ConsolePages pages) {
    this.pages = pages;
  }

  void addTo(ConsoleRoutes routes) {
    routes
        .get("/console/enrollments", this::enrollments)
        .get("/console/ca-certificates", this::caCertificates)
        .get("/console/ca-certificates/{name}", this::caCertificate)
        .post("/console/ca-certificates/{name}/verification-code", this::verificationCode)
        .post("/console/ca-certificates/{name}/verify", this::verify)
        .get("/console/hubs", this::hubs);
  }

  private Reply enrollments(Call c) throws NotPermitted {
    Html h = new Html();
    for (EnrollmentRecord.Kind kind : EnrollmentRecord.Kind.values()) {
      List<EnrollmentRecord> list = pages.enrollments().listEnrollments(c.actor(), kind);
      h.el(
          "h2",
          kind == EnrollmentRecord.Kind.GROUP ? "Enrollment groups" : "Individual enrollments");
      h.raw("<table><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">CA certificate</th>")
          .raw(
              "<th scope=\"col\">Enabled</th><th scope=\"col\">IoT Edge</th><th scope=\"col\">Allocation</th>")
          .raw(
              "<th scope=\"col\">Hubs</th><th scope=\"col\">Certificate label</th><th scope=\"col\">Updated</th></tr></thead><tbody>");
      for (EnrollmentRecord e : list) {
        h.raw("<tr>")
            .el("td", e.id())
            .open("td")
            .a("/console/ca-certificates/" + Form.encode(e.caCertificate()), e.caCertificate())
            .close("td")
            .el("td", e.enabled() ? "yes" : "no")
            .el("td", e.iotEdge() ? "yes" : "no")
            .el("td", e.allocation().wire())
            .el("td", e.iotHubs().isEmpty() ? "every linked hub" : String.join(", ", e.iotHubs()))
            .el("td", e.certificateLabel())
            .el("td", Layout.time(e.updatedAt()))
            .raw("</tr>");
      }
      if (list.isEmpty()) {
        h.raw("<tr><td colspan=\"8\">None.</td></tr>");
      }
      h.raw("</tbody></table>");
    }
    h.el(
        "p",
        "Enrollments are created and changed through the admin API (docs/provisioning.md).",
        "class",
        "note");
    return new Reply.Page("Enrollments", "enrollments", h);
  }

  private Reply caCertificates(Call c) throws NotPermitted {
    Html h = new Html();
    h.raw(
            "<table id=\"ca-certificates\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Subject</th>")
        .raw("<th scope=\"col\">Verified</th><th scope=\"col\">Updated</th></tr></thead><tbody>");
    List<CaCertificateRecord> list = pages.caCertificates().list(c.actor());
    for (CaCertificateRecord ca : list) {
      h.raw("<tr>")
          .open("td")
          .a("/console/ca-certificates/" + Form.encode(ca.name()), ca.name())
          .close("td")
          .el("td", ca.subject())
          .el("td", ca.verified() ? "yes" : ca.verificationCode() != null ? "code issued" : "no")
          .el("td", Layout.time(ca.updatedAt()))
          .raw("</tr>");
    }
    if (list.isEmpty()) {
      h.raw("<tr><td colspan=\"4\">None.</td></tr>");
    }
    h.raw("</tbody></table>");
    return new Reply.Page("CA certificates", "ca-certificates", h);
  }

  private CaCertificateRecord find(Call c) throws NotPermitted, ConsoleRefusal {
    String name = c.param("name");
    return pages
        .caCertificates()
        .find(c.actor(), name)
        .orElseThrow(
            () -> ConsoleRefusal.notFound("There is no CA certificate named '" + name + "'."));
  }

  private Reply caCertificate(Call c) throws NotPermitted, ConsoleRefusal {
    CaCertificateRecord ca = find(c);
    Html h = new Html();
    if (c.q("verified") != null) {
      h.el("p", "Proof of possession verified.", "class", "note", "role", "status");
    }
    X509Certificate cert = ca.certificate();
    h.raw("<dl class=\"fields\">");
    CertificatePages.dt(h, "Subject", ca.subject(), null);
    CertificatePages.dt(h, "Issuer", cert.getIssuerX500Principal().getName(), null);
    CertificatePages.dt(
        h,
        "Valid",
        Layout.time(cert.getNotBefore().toInstant())
            + " to "
            + Layout.time(cert.getNotAfter().toInstant()),
        null);
    CertificatePages.dt(h, "SHA-256", ca.sha256(), null);
    CertificatePages.dt(h, "Verified", ca.verified() ? "yes" : "no", "verified");
    CertificatePages.dt(h, "Verification code", ca.verificationCode(), "verification-code");
    h.raw("</dl>");
    h.el("pre", Pem.encode(cert), "class", "pem");
    if (!ca.verified() && ConsolePages.may(c.actor(), Permission.VERIFY_CA_CERTIFICATES)) {
      String base = "/console/ca-certificates/" + Form.encode(ca.name());
      h.raw("<h2>Proof of possession</h2>");
      h.open("form", "method", "post", "action", base + "/verification-code");
      Layout.csrf(h, c.session());
      h.raw("<button type=\"submit\">Issue a new verification code</button></form>");
      if (ca.verificationCode() != null) {
        h.el(
            "p",
            "Sign a certificate whose subject CN is the code above with this CA's key, and paste it here (PEM):");
        h.open("form", "method", "post", "action", base + "/verify");
        Layout.csrf(h, c.session());
        h.raw("<label for=\"proof\">Proof certificate (PEM)</label>");
        h.raw("<textarea id=\"proof\" name=\"proof\" rows=\"8\" required></textarea>");
        h.raw("<button type=\"submit\">Verify</button></form>");
      }
    }
    return new Reply.Page("CA certificate " + ca.name(), "ca-certificates", h);
  }

  private Reply verificationCode(Call c) throws NotPermitted, ConsoleRefusal {
    Permission.VERIFY_CA_CERTIFICATES.check(c.actor());
    CaCertificateRecord ca = find(c);
    CaCertificateService.Coded coded = pages.caCertificates().newVerificationCode(c.actor(), ca);
    if (coded.outcome() != WriteOutcome.UPDATED) {
      throw new ConsoleRefusal(409, "The CA certificate changed meanwhile; reload and try again.");
    }
    return new Reply.Redirect("/console/ca-certificates/" + Form.encode(ca.name()));
  }

  private Reply verify(Call c) throws NotPermitted, ConsoleRefusal {
    Permission.VERIFY_CA_CERTIFICATES.check(c.actor());
    CaCertificateRecord ca = find(c);
    X509Certificate proof;
    try {
      List<X509Certificate> certs = Pem.certificates(c.f("proof") == null ? "" : c.f("proof"));
      if (certs.isEmpty()) {
        throw ConsoleRefusal.badRequest("Paste one PEM certificate as the proof.");
      }
      proof = certs.getFirst();
    } catch (Exception e) {
      if (e instanceof ConsoleRefusal r) {
        throw r;
      }
      throw ConsoleRefusal.badRequest("The proof is not a PEM certificate: " + e.getMessage());
    }
    return switch (pages.caCertificates().verify(c.actor(), ca, proof)) {
      case CaCertificateService.Verified v ->
          v.outcome() == WriteOutcome.UPDATED
              ? new Reply.Redirect(
                  "/console/ca-certificates/" + Form.encode(ca.name()) + "?verified=1")
              : throwConflict();
      case CaCertificateService.NoCode n ->
          throw ConsoleRefusal.badRequest("Issue a verification code first.");
      case CaCertificateService.WrongCode w ->
          throw ConsoleRefusal.badRequest(
              "The proof's CN '" + w.commonName() + "' is not the verification code.");
      case CaCertificateService.WrongKey k ->
          throw ConsoleRefusal.badRequest("The proof is not signed by this CA certificate's key.");
    };
  }

  private static Reply throwConflict() throws ConsoleRefusal {
    throw new ConsoleRefusal(409, "The CA certificate changed meanwhile; reload and try again.");
  }

  private Reply hubs(Call c) throws NotPermitted {
    List<HubRecord> hubs = pages.enrollments().listHubs(c.actor());
    Map<String, Long> counts = pages.enrollments().registrationsPerHub(c.actor());
    Html h = new Html();
    h.raw(
        "<table id=\"hubs\"><thead><tr><th scope=\"col\">Host name</th><th scope=\"col\">Weight</th><th scope=\"col\">Registrations</th></tr></thead><tbody>");
    for (HubRecord hub : hubs) {
      h.raw("<tr>")
          .el("td", hub.hostName())
          .el("td", hub.weight(), "class", "num")
          .el("td", counts.getOrDefault(hub.hostName(), 0L), "class", "num")
          .raw("</tr>");
    }
    if (hubs.isEmpty()) {
      h.raw("<tr><td colspan=\"3\">No hub is linked.</td></tr>");
    }
    h.raw("</tbody></table>");
    return new Reply.Page("Linked hubs", "hubs", h);
  }
}
