package dev.estuary.server.policy;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.Csr;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.PkiException;
import dev.estuary.server.auth.Caller;
import java.math.BigInteger;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;

/**
 * The one place that decides who gets what from a label: EST (enroll and re-enroll), the DPS {@code
 * csr} path and the admin API all ask it. Input: the label (data), the authenticated caller
 * (values: its verified chain, how it authenticated, what it is bound to), the CSR, and the name
 * bindings; output: the {@link IssueOrder} the signer executes as it is, or a {@link Denial}. No
 * I/O and no wire status: unit-testable without a server.
 *
 * <p>In order: key limits, CA request, renewal, the name (forced from the renewed certificate, made
 * from the IDevID by the label's template, tied to a DPS registration id, or the CSR's under the
 * label's name policy), the name binding, then profile and validity.
 */
public final class IssuancePolicy {
  private IssuancePolicy() {}

  /** The EST operation asked for (DPS and admin issue as ENROLL). */
  public enum Operation {
    ENROLL,
    REENROLL
  }

  /**
   * What to issue, and the name binding to record first.
   *
   * @param bindScope where the name is bound (the label), or null
   * @param bindName the name to bind to the caller's principal before signing, or null
   */
  public record Decision(IssueOrder order, String bindScope, String bindName) {}

  public static Decision decide(
      Label label,
      Caller caller,
      Csr csr,
      Operation op,
      NameBindings bindings,
      Instant now,
      BigInteger serial)
      throws Denial {
    try {
      label.keyPolicy().check(csr.key());
    } catch (PkiException e) {
      throw new Denial(
          Denial.Reason.KEY_NOT_ALLOWED, e.getMessage() + " (label '" + label.name() + "')");
    }
    if (csr.requestsCa() && !label.profile().ca()) {
      throw new Denial(
          Denial.Reason.CA_NOT_ALLOWED,
          "the CSR asks for a CA certificate (basicConstraints CA:TRUE), which label '"
              + label.name()
              + "' does not issue; use an Edge CA label");
    }
    boolean renews = caller.renews(label.name());
    if (op == Operation.REENROLL && !renews) {
      throw new Denial(
          Denial.Reason.NOT_A_RENEWAL,
          "simplereenroll needs the TLS client certificate that label '"
              + label.name()
              + "' issued before; use simpleenroll for a first certificate");
    }
    X500Name subject;
    GeneralNames sans;
    if (renews && (op == Operation.REENROLL || label.reenrollmentForcing() || label.bindNames())) {
      // A renewal keeps its name; with binding on, always (a bound identity does not rename).
      X509Certificate prior = caller.clientCertificate();
      subject = X500Name.getInstance(prior.getSubjectX500Principal().getEncoded());
      sans = subjectAltNames(prior);
    } else {
      subject = csr.subject();
      sans = csr.subjectAltNames();
      String template = label.nameTemplate();
      if (template != null && caller.clientCertificate() != null && !renews) {
        String name = apply(template, caller.clientCertificate());
        String asked = csr.commonName();
        if (!asked.isEmpty() && !asked.equals(name)) {
          throw new Denial(
              Denial.Reason.NAME_MISMATCH,
              "label '"
                  + label.name()
                  + "' names devices after their certificate ("
                  + template
                  + " = '"
                  + name
                  + "'); the CSR asks for '"
                  + asked
                  + "'");
        }
        subject = new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(name))});
      }
      String cn = Csr.commonName(subject);
      if (cn.isEmpty() && (sans == null || sans.getNames().length == 0)) {
        throw new Denial(
            Denial.Reason.BAD_CSR, "the CSR has no subject commonName and no subjectAltName");
      }
      if (cn.length() > label.maxCommonNameLength()) {
        throw new Denial(
            Denial.Reason.BAD_CSR,
            "the CSR's commonName is "
                + cn.length()
                + " characters long; label '"
                + label.name()
                + "' accepts at most "
                + label.maxCommonNameLength());
      }
      if (caller.boundName() != null && !cn.equals(caller.boundName())) {
        throw new Denial(
            Denial.Reason.NAME_MISMATCH,
            "the CSR's commonName '"
                + cn
                + "' is not the registration id '"
                + caller.boundName()
                + "'");
      }
      label.names().check(label.name(), subject, sans);
    }
    // An Edge CA label grants a CA certificate to a CSR that asks for one (as aziot-edged's does);
    // a CSR that does not (the identity service's EST identity) gets a client identity.
    CertificateProfile profile =
        label.profile().ca() && !csr.requestsCa()
            ? CertificateProfile.clientIdentity(label.profile().validity())
                .publishing(label.profile().publication())
            : label.profile();
    String bindScope = null;
    String bindName = null;
    // Only end-entity names are identities: a CA certificate's name is not (every Azure IoT Edge
    // device asks for "aziot-edge CA" by default), so Edge CA names are never bound.
    if (label.bindNames() && !profile.ca()) {
      String scope = label.name();
      String name = nameOf(subject, sans);
      String holder = bindings.holderOf(scope, name).orElse(null);
      if (holder != null && !holder.equals(caller.principal())) {
        throw new Denial(
            Denial.Reason.NAME_BOUND,
            "the name '"
                + name
                + "' of label '"
                + scope
                + "' is bound to another identity; an operator can release it"
                + " (estuary server binding release "
                + scope
                + " "
                + name
                + ")");
      }
      if (caller.certificatePrincipal()) {
        String held = bindings.nameOf(scope, caller.principal()).orElse(null);
        if (held != null && !held.equals(name)) {
          throw new Denial(
              Denial.Reason.IDENTITY_BOUND,
              "this identity is bound to the name '"
                  + held
                  + "' of label '"
                  + scope
                  + "', not '"
                  + name
                  + "'; an operator can release it (estuary server binding release "
                  + scope
                  + " "
                  + held
                  + ")");
        }
      }
      bindName = holder == null ? name : null;
      bindScope = scope;
    }
    Instant notBefore = now.minus(IssuingCa.backdateFor(profile.validity()));
    Instant notAfter = now.plus(profile.validity());
    return new Decision(
        new IssueOrder(subject, sans, csr.publicKeyInfo(), profile, serial, notBefore, notAfter),
        bindScope,
        bindName);
  }

  /** The name a binding holds: the CN, or when there is none the first SAN. */
  static String nameOf(X500Name subject, GeneralNames sans) {
    String cn = Csr.commonName(subject);
    if (!cn.isEmpty() || sans == null || sans.getNames().length == 0) {
      return cn;
    }
    GeneralName first = sans.getNames()[0];
    return first.getName().toString();
  }

  /** {@code {subject.cn}} and {@code {serial}} (lower-case hex) of the IDevID. */
  static String apply(String template, X509Certificate idevid) {
    String cn = Csr.commonName(X500Name.getInstance(idevid.getSubjectX500Principal().getEncoded()));
    return template
        .replace("{subject.cn}", cn)
        .replace("{serial}", idevid.getSerialNumber().toString(16));
  }

  private static GeneralNames subjectAltNames(X509Certificate cert) {
    try {
      var ext = new JcaX509CertificateHolder(cert).getExtensions();
      return ext == null
          ? null
          : GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("a validated certificate cannot be re-encoded", e);
    }
  }
}
