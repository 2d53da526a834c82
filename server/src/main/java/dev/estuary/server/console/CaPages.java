package dev.estuary.server.console;

import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.policy.Label;
import dev.estuary.server.revocation.CrlPublisher;
import dev.estuary.server.revocation.PublishedCa;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;

/**
 * The issuing CAs of the labels: each chain up to its root, and the revocation it publishes (the
 * current CRL's number and times, where the CRL and OCSP are served). Read by any role ({@link
 * Permission#READ_CA_CERTIFICATES}).
 */
final class CaPages {
  private final ConsolePages pages;

  CaPages(ConsolePages pages) {
    this.pages = pages;
  }

  void addTo(ConsoleRoutes routes) {
    routes.get("/console/cas", this::cas);
  }

  private Reply cas(Call c) throws NotPermitted {
    Permission.READ_CA_CERTIFICATES.check(c.actor());
    Html h = new Html();
    String base = pages.publication().publicUrl();
    h.raw("<dl class=\"fields\">");
    CertificatePages.dt(
        h,
        "OCSP responder",
        base == null
            ? "served at /pki/ocsp on the device port (no public URL set, so certificates name none)"
            : base + "/pki/ocsp",
        "ocsp-url");
    CertificatePages.dt(
        h,
        "OCSP signer",
        pages.publication().ocspSigner().equals("delegated")
            ? "a delegated responder certificate per CA"
            : "each issuing CA signs its answers",
        null);
    CertificatePages.dt(
        h, "OCSP answers valid for", pages.publication().ocspValidity().toString(), null);
    CertificatePages.dt(h, "CRLs valid for", pages.publication().crlValidity().toString(), null);
    h.raw("</dl>");
    for (Map.Entry<String, Label> e :
        pages.labels().entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
      Label label = e.getValue();
      PublishedCa published = PublishedCa.of(label.ca());
      h.raw("<section class=\"ca\">").el("h2", "Label " + e.getKey());
      h.raw("<ol class=\"chain\">");
      for (X509Certificate ca : label.ca().chain()) {
        h.el(
            "li",
            ca.getSubjectX500Principal().getName()
                + " — valid "
                + Layout.time(ca.getNotBefore().toInstant())
                + " to "
                + Layout.time(ca.getNotAfter().toInstant()));
      }
      h.raw("</ol><dl class=\"fields\">");
      CertificatePages.dt(h, "CA id (key identifier)", published.id(), null);
      Optional<CrlPublisher.Published> crl;
      try {
        crl = pages.crls().crl(published.id());
      } catch (IOException | RuntimeException ex) {
        crl = Optional.empty();
      }
      if (crl.isPresent()) {
        CertificatePages.dt(h, "CRL number", crl.get().number().toString(), null);
        CertificatePages.dt(h, "CRL this update", Layout.time(crl.get().thisUpdate()), null);
        CertificatePages.dt(h, "CRL next update", Layout.time(crl.get().nextUpdate()), null);
        CertificatePages.dt(h, "CRL size", crl.get().der().length + " bytes", null);
      } else {
        CertificatePages.dt(h, "CRL", "not available now (see the server log)", null);
      }
      CertificatePages.dt(
          h, "CRL at", (base == null ? "" : base) + "/pki/crl/" + published.id() + ".crl", null);
      CertificatePages.dt(
          h,
          "Earlier generations still served",
          Integer.toString(label.previousCas().size()),
          null);
      h.raw("</dl></section>");
    }
    return new Reply.Page("Certificate authorities", "cas", h);
  }
}
