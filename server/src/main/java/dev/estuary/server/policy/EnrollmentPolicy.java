package dev.estuary.server.policy;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.Csr;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.PkiException;
import dev.estuary.server.auth.Caller;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;

/**
 * The one place that decides whether a caller gets a certificate for a CSR from a label, and
 * with which subject, SANs, extensions and validity. The answer is an {@link IssueOrder} that the
 * signer executes as it is.
 */
public final class EnrollmentPolicy {
  private EnrollmentPolicy() {}

  /** The EST operation asked for. */
  public enum Operation {
    ENROLL,
    REENROLL
  }

  public static IssueOrder decide(
      Label label, Caller caller, Csr csr, Operation op, Instant now, BigInteger serial)
      throws Refusal {
    try {
      label.keyPolicy().check(csr.key());
    } catch (PkiException e) {
      throw Refusal.badRequest(e.getMessage() + " (label '" + label.name() + "')");
    }
    if (csr.requestsCa() && !label.profile().ca()) {
      throw Refusal.forbidden(
          "the CSR asks for a CA certificate (basicConstraints CA:TRUE), which label '"
              + label.name()
              + "' does not issue; use an Edge CA label");
    }
    if (op == Operation.REENROLL && !caller.isReenrollment()) {
      throw Refusal.forbidden(
          "simplereenroll needs the TLS client certificate that label '"
              + label.name()
              + "' issued before; use simpleenroll for a first certificate");
    }
    X500Name subject;
    GeneralNames sans;
    if (caller.isReenrollment() && (op == Operation.REENROLL || label.reenrollmentForcing())) {
      X509Certificate prior = caller.clientCertificate();
      subject = X500Name.getInstance(prior.getSubjectX500Principal().getEncoded());
      sans = subjectAltNames(prior);
    } else {
      subject = csr.subject();
      sans = csr.subjectAltNames();
      String cn = csr.commonName();
      if (cn.isEmpty() && (sans == null || sans.getNames().length == 0)) {
        throw Refusal.badRequest("the CSR has no subject commonName and no subjectAltName");
      }
      if (cn.length() > label.maxCommonNameLength()) {
        throw Refusal.badRequest(
            "the CSR's commonName is "
                + cn.length()
                + " characters long; label '"
                + label.name()
                + "' accepts at most "
                + label.maxCommonNameLength());
      }
    }
    // An Edge CA label grants a CA certificate to a CSR that asks for one (as aziot-edged's does);
    // a CSR that does not (the identity service's EST identity) gets a client identity.
    CertificateProfile profile =
        label.profile().ca() && !csr.requestsCa()
            ? CertificateProfile.clientIdentity(label.profile().validity())
            : label.profile();
    Instant notBefore = now.minus(IssuingCa.backdateFor(profile.validity()));
    Instant notAfter = now.plus(profile.validity());
    return new IssueOrder(subject, sans, csr.publicKeyInfo(), profile, serial, notBefore, notAfter);
  }

  private static GeneralNames subjectAltNames(X509Certificate cert) {
    try {
      var ext = new JcaX509CertificateHolder(cert).getExtensions();
      return ext == null ? null : GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("a validated certificate cannot be re-encoded", e);
    }
  }

}
