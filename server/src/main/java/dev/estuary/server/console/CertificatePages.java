package dev.estuary.server.console;

import dev.estuary.pki.Certificates;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.policy.Label;
import dev.estuary.server.revocation.RevocationReason;
import dev.estuary.server.revocation.RevocationService;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateSearch;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Certificates: the search (subject, serial, label, status, expiring-before; keyset pages), a
 * certificate's page (decoded fields, its chain, PEM download) and revocation with a reason and a
 * confirmation step.
 */
final class CertificatePages {
  static final int PAGE = 50;

  private final ConsolePages pages;

  CertificatePages(ConsolePages pages) {
    this.pages = pages;
  }

  void addTo(ConsoleRoutes routes) {
    routes
        .get("/console/certificates", this::search)
        .get("/console/certificates/{serial}", this::detail)
        .get("/console/certificates/{serial}/pem", this::pem)
        .get("/console/certificates/{serial}/revoke", this::confirmRevoke)
        .post("/console/certificates/{serial}/revoke", this::revoke);
  }

  private Reply search(Call c) throws NotPermitted, ConsoleRefusal {
    BigInteger serial = c.q("serial") == null ? null : serial(c.q("serial"));
    String label = c.q("label");
    CertificateSearch.Status status = null;
    if (c.q("status") != null) {
      try {
        status = CertificateSearch.Status.valueOf(c.q("status").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ConsoleRefusal.badRequest("The status is valid, expired or revoked.");
      }
    }
    Instant before = null;
    if (c.q("expiring_before") != null) {
      try {
        before = LocalDate.parse(c.q("expiring_before")).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e) {
        throw ConsoleRefusal.badRequest("'Expiring before' is a date such as 2026-12-31.");
      }
    }
    CertificateSearch.Criteria criteria =
        new CertificateSearch.Criteria(serial, c.q("subject"), label, status, before);
    Html h = new Html();
    h.open(
        "form",
        "method",
        "get",
        "action",
        "/console/certificates",
        "class",
        "search",
        "role",
        "search");
    field(
        h,
        "subject",
        "Subject (exact, or a prefix and *)",
        c.q("subject"),
        "CN=device-42 or CN=dev*");
    field(h, "serial", "Serial (hex)", c.q("serial"), null);
    h.raw("<label for=\"label\">Label</label><select id=\"label\" name=\"label\">");
    h.el("option", "any", "value", "");
    for (String l : pages.labels().keySet().stream().sorted().toList()) {
      h.el("option", l, "value", l, "selected", l.equals(label) ? "" : null);
    }
    h.raw("</select><label for=\"status\">Status</label><select id=\"status\" name=\"status\">");
    h.el("option", "any", "value", "");
    for (CertificateSearch.Status s : CertificateSearch.Status.values()) {
      h.el("option", s.wire(), "value", s.wire(), "selected", s == status ? "" : null);
    }
    h.raw("</select>");
    h.raw("<label for=\"expiring_before\">Expiring before</label>");
    h.empty(
        "input",
        "type",
        "date",
        "id",
        "expiring_before",
        "name",
        "expiring_before",
        "value",
        c.q("expiring_before"));
    h.raw("<button type=\"submit\" id=\"search\">Search</button></form>");

    CertificateSearch.Page page;
    try {
      page = pages.certificates().search(c.actor(), criteria, c.q("after"), PAGE, c.now());
    } catch (IllegalArgumentException e) {
      throw ConsoleRefusal.badRequest(e.getMessage());
    }
    h.raw(
            "<table id=\"certificates\"><thead><tr><th scope=\"col\">Subject</th><th scope=\"col\">Serial</th>")
        .raw(
            "<th scope=\"col\">Label</th><th scope=\"col\">Not after</th><th scope=\"col\">Status</th></tr></thead><tbody>");
    for (CertificateRecord r : page.rows()) {
      String hex = r.serial().toString(16);
      h.raw("<tr>")
          .open("td")
          .a("/console/certificates/" + hex, r.subject())
          .close("td")
          .el("td", hex, "class", "mono")
          .el("td", r.label())
          .el("td", Layout.time(r.notAfter()))
          .el("td", status(r, c.now()), "class", "status-" + status(r, c.now()))
          .raw("</tr>");
    }
    if (page.rows().isEmpty()) {
      h.raw("<tr><td colspan=\"5\">No certificate matches.</td></tr>");
    }
    h.raw("</tbody></table>");
    if (page.next() != null) {
      StringBuilder next = new StringBuilder("/console/certificates?");
      for (String k : List.of("subject", "serial", "label", "status", "expiring_before")) {
        if (c.q(k) != null) {
          next.append(k).append('=').append(Form.encode(c.q(k))).append('&');
        }
      }
      next.append("after=").append(Form.encode(page.next()));
      h.open("p")
          .el("a", "Next " + PAGE + " →", "href", next.toString(), "rel", "next", "id", "next")
          .close("p");
    }
    return new Reply.Page("Certificates", "certificates", h);
  }

  private CertificateRecord find(Call c) throws NotPermitted, ConsoleRefusal {
    BigInteger serial = serial(c.param("serial"));
    return pages
        .certificates()
        .find(c.actor(), serial)
        .orElseThrow(
            () ->
                ConsoleRefusal.notFound(
                    "No certificate has the serial " + serial.toString(16) + "."));
  }

  private Reply detail(Call c) throws NotPermitted, ConsoleRefusal {
    CertificateRecord r = find(c);
    String hex = r.serial().toString(16);
    Html h = new Html();
    if (c.q("revoked") != null) {
      h.el(
          "p",
          "The certificate is revoked; the CRLs were made again.",
          "class",
          "note",
          "role",
          "status");
    }
    String status = status(r, c.now());
    h.raw("<dl class=\"fields\" id=\"fields\">");
    dt(h, "Status", status, "status");
    if (r.revoked()) {
      dt(h, "Revoked at", Layout.time(r.revokedAt()), "revoked-at");
      dt(h, "Reason", r.revocationReason(), "reason");
    }
    dt(h, "Subject", r.subject(), "subject");
    dt(h, "Issuer", r.issuer(), "issuer");
    dt(h, "Serial", hex, "serial");
    dt(h, "Not before", Layout.time(r.notBefore()), null);
    dt(h, "Not after", Layout.time(r.notAfter()), null);
    dt(h, "Label", r.label(), null);
    dt(h, "Key", r.keyAlgorithm(), null);
    dt(h, "SHA-256", r.sha256(), null);
    dt(h, "Issued at", Layout.time(r.issuedAt()), null);
    dt(h, "Authenticated by", r.gate() + " (" + r.requester() + ")", null);
    dt(h, "Principal", r.principal(), null);
    Optional<X509Certificate> x = decode(r.der());
    if (x.isPresent()) {
      X509Certificate cert = x.get();
      dt(h, "Signature", cert.getSigAlgName(), null);
      dt(h, "Subject alternative names", names(cert), null);
      dt(h, "Key usage", keyUsage(cert), null);
      dt(h, "Extended key usage", extendedKeyUsage(cert), null);
      dt(
          h,
          "CA",
          cert.getBasicConstraints() >= 0
              ? "yes (path length " + cert.getBasicConstraints() + ")"
              : "no",
          null);
    } else {
      dt(h, "Encoding", "the stored DER could not be decoded", null);
    }
    h.raw("</dl>");
    h.open("p", "class", "actions")
        .el(
            "a",
            "Download PEM",
            "href",
            "/console/certificates/" + hex + "/pem",
            "id",
            "pem",
            "class",
            "button")
        .text(" ")
        .el("a", "Audit records", "href", "/console/audit?serial=" + hex, "class", "button");
    if (!r.revoked() && ConsolePages.may(c.actor(), Permission.REVOKE_CERTIFICATES)) {
      h.text(" ")
          .el(
              "a",
              "Revoke…",
              "href",
              "/console/certificates/" + hex + "/revoke",
              "id",
              "revoke",
              "class",
              "button danger");
    }
    h.close("p");
    h.raw("<h2>Chain</h2><ol class=\"chain\" id=\"chain\">");
    h.el("li", r.subject() + " (this certificate)");
    Label label = pages.labels().get(r.label());
    if (label != null) {
      // the label's chain as it serves it: the issuing CA first, up to its root
      for (X509Certificate ca : label.ca().chain()) {
        h.el(
            "li",
            ca.getSubjectX500Principal().getName()
                + " (until "
                + Layout.time(ca.getNotAfter().toInstant())
                + ")");
      }
    } else {
      h.el("li", r.issuer() + " (the label is no longer configured)");
    }
    h.raw("</ol>");
    return new Reply.Page("Certificate " + hex, "certificates", h);
  }

  private Reply pem(Call c) throws NotPermitted, ConsoleRefusal {
    CertificateRecord r = find(c);
    String pem =
        "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(r.der())
            + "\n-----END CERTIFICATE-----\n";
    return new Reply.Download(
        "application/x-pem-file",
        r.serial().toString(16) + ".pem",
        pem.getBytes(StandardCharsets.US_ASCII));
  }

  private Reply confirmRevoke(Call c) throws NotPermitted, ConsoleRefusal {
    Permission.REVOKE_CERTIFICATES.check(c.actor());
    CertificateRecord r = find(c);
    String hex = r.serial().toString(16);
    Html h = new Html();
    if (r.revoked()) {
      h.el("p", "This certificate is already revoked.", "class", "note");
      return new Reply.Page("Revoke certificate " + hex, "certificates", h);
    }
    h.el(
        "p",
        "Revoking is final: every relying party that checks the CRL or OCSP refuses this certificate from now on.",
        "class",
        "warning");
    h.raw("<dl class=\"fields\">");
    dt(h, "Subject", r.subject(), null);
    dt(h, "Serial", hex, null);
    dt(h, "Label", r.label(), null);
    dt(h, "Not after", Layout.time(r.notAfter()), null);
    h.raw("</dl>");
    h.open(
        "form",
        "method",
        "post",
        "action",
        "/console/certificates/" + hex + "/revoke",
        "id",
        "revoke-form");
    Layout.csrf(h, c.session());
    h.raw("<label for=\"reason\">Reason</label><select id=\"reason\" name=\"reason\">");
    for (RevocationReason reason : RevocationReason.values()) {
      h.el("option", reason.rfcName(), "value", reason.rfcName());
    }
    h.raw("</select>");
    h.raw("<p><input type=\"checkbox\" id=\"confirm\" name=\"confirm\" value=\"yes\" required>")
        .open("label", "for", "confirm", "class", "inline")
        .text("I confirm: revoke " + r.subject() + " (serial " + hex + ")")
        .close("label")
        .raw("</p>");
    h.raw("<button type=\"submit\" id=\"revoke-confirm\" class=\"danger\">Revoke</button> ");
    h.a("/console/certificates/" + hex, "Cancel");
    h.close("form");
    return new Reply.Page("Revoke certificate " + hex, "certificates", h);
  }

  private Reply revoke(Call c) throws NotPermitted, ConsoleRefusal {
    BigInteger serial = serial(c.param("serial"));
    if (!"yes".equals(c.f("confirm"))) {
      throw ConsoleRefusal.badRequest("Tick the confirmation to revoke; nothing was changed.");
    }
    String reasonName = c.f("reason") == null ? "unspecified" : c.f("reason");
    RevocationReason reason =
        RevocationReason.of(reasonName)
            .orElseThrow(
                () ->
                    ConsoleRefusal.badRequest(
                        "'"
                            + reasonName
                            + "' is not an RFC 5280 revocation reason; one of "
                            + RevocationReason.names()));
    Optional<RevocationService.Revocation> done =
        pages.revocation().revoke(c.actor(), serial, null, reason, null);
    if (done.isEmpty()) {
      throw ConsoleRefusal.notFound("No certificate has the serial " + serial.toString(16) + ".");
    }
    return new Reply.Redirect("/console/certificates/" + serial.toString(16) + "?revoked=1");
  }

  static String status(CertificateRecord r, Instant now) {
    if (r.revoked()) {
      return "revoked";
    }
    return r.notAfter().isAfter(now) ? "valid" : "expired";
  }

  static BigInteger serial(String hex) throws ConsoleRefusal {
    try {
      BigInteger s = new BigInteger(hex.replace(":", "").strip(), 16);
      if (s.signum() <= 0 || s.bitLength() > 160) {
        throw new NumberFormatException();
      }
      return s;
    } catch (NumberFormatException e) {
      throw ConsoleRefusal.badRequest(
          "'" + hex + "' is not a serial number (hexadecimal, at most 20 octets).");
    }
  }

  private static void field(Html h, String name, String label, String value, String placeholder) {
    h.el("label", label, "for", name);
    h.empty("input", "id", name, "name", name, "value", value, "placeholder", placeholder);
  }

  static void dt(Html h, String term, String value, String id) {
    h.el("dt", term).el("dd", value == null ? "—" : value, "id", id);
  }

  private static Optional<X509Certificate> decode(byte[] der) {
    try {
      return Optional.of(Certificates.decode(der));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String names(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return "none";
      }
      List<String> out = new ArrayList<>();
      for (List<?> san : sans) {
        out.add(san.get(1).toString());
      }
      return String.join(", ", out);
    } catch (CertificateParsingException e) {
      return "not readable";
    }
  }

  private static String keyUsage(X509Certificate cert) {
    boolean[] ku = cert.getKeyUsage();
    if (ku == null) {
      return "none";
    }
    String[] names = {
      "digitalSignature",
      "nonRepudiation",
      "keyEncipherment",
      "dataEncipherment",
      "keyAgreement",
      "keyCertSign",
      "cRLSign",
      "encipherOnly",
      "decipherOnly"
    };
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ku.length && i < names.length; i++) {
      if (ku[i]) {
        out.add(names[i]);
      }
    }
    return String.join(", ", out);
  }

  private static String extendedKeyUsage(X509Certificate cert) {
    try {
      List<String> eku = cert.getExtendedKeyUsage();
      if (eku == null) {
        return "none";
      }
      return String.join(", ", eku.stream().map(CertificatePages::ekuName).toList());
    } catch (CertificateParsingException e) {
      return "not readable";
    }
  }

  private static String ekuName(String oid) {
    return switch (oid) {
      case "1.3.6.1.5.5.7.3.1" -> "serverAuth";
      case "1.3.6.1.5.5.7.3.2" -> "clientAuth";
      case "1.3.6.1.5.5.7.3.9" -> "OCSPSigning";
      default -> oid;
    };
  }
}
