package dev.estuary.server.provisioning;

import dev.estuary.pki.ChainValidator;
import dev.estuary.pki.Csr;
import dev.estuary.pki.PkiException;
import dev.estuary.server.store.CaCertificateRecord;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.EnrollmentRecord;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * Decides which enrollment a device's TLS client certificate chain registers under, or why none:
 * the leaf's CN must be the registration id; a certificate this server revoked, anywhere in the
 * path, is refused, as is a path through a CA certificate this server issued to a device; an
 * individual enrollment for the registration id wins over any group; otherwise the first group (by
 * id) whose CA certificate the chain leads to. The CA must be verified and the enrollment enabled.
 * No I/O: the caller hands in what the stores hold.
 */
public final class EnrollmentMatch {
  private EnrollmentMatch() {}

  /** The enrollment a device attested for, and the chain it attested with. */
  public record Attested(EnrollmentRecord enrollment, List<X509Certificate> chain) {
    public X509Certificate leaf() {
      return chain.getFirst();
    }
  }

  /**
   * @param issuedHere the record of a presented certificate when this server issued it (found by
   *     issuer + serial, compared by TBS), else null
   * @param individual the individual enrollment for the registration id, or null
   * @param groups every enrollment group
   * @param cas the CA certificates by name
   * @throws ProvisioningRefusal 401002 when the certificate does not authenticate the registration
   *     id, 403001 when the matching enrollment is disabled
   */
  public static Attested decide(
      String registrationId,
      List<X509Certificate> chain,
      Function<X509Certificate, CertificateRecord> issuedHere,
      EnrollmentRecord individual,
      List<EnrollmentRecord> groups,
      Map<String, CaCertificateRecord> cas,
      Instant now)
      throws ProvisioningRefusal {
    return decide(registrationId, chain, issuedHere, individual, groups, cas, c -> List.of(), now);
  }

  /**
   * As above, where an enrollment that trusts one generation of a CA this server rolled trusts
   * every generation still valid.
   *
   * @param generations the other generations of a CA certificate (a rollover: older and newer keys
   *     of the same issuing CA), empty for a CA that was never rolled or not this server's
   */
  public static Attested decide(
      String registrationId,
      List<X509Certificate> chain,
      Function<X509Certificate, CertificateRecord> issuedHere,
      EnrollmentRecord individual,
      List<EnrollmentRecord> groups,
      Map<String, CaCertificateRecord> cas,
      Function<X509Certificate, List<X509Certificate>> generations,
      Instant now)
      throws ProvisioningRefusal {
    requireCertificateFor(registrationId, chain);
    X509Certificate leaf = chain.getFirst();
    CertificateRecord leafRecord = issuedHere.apply(leaf);
    if (leafRecord != null && leafRecord.revoked()) {
      throw unauthorized(
          "client certificate serial "
              + leafRecord.serial().toString(16)
              + " was revoked at "
              + leafRecord.revokedAt());
    }
    if (individual != null) {
      String what = "individual enrollment '" + registrationId + "'";
      CaCertificateRecord ca = cas.get(individual.caCertificate());
      if (ca == null) {
        throw unauthorized(
            what
                + " names CA certificate '"
                + individual.caCertificate()
                + "', which does not exist");
      }
      List<X509Certificate> path;
      try {
        path = validator(ca, generations).validate(chain, now).path();
      } catch (PkiException e) {
        String message =
            e.getMessage() + " (" + what + " trusts CA certificate '" + ca.name() + "')";
        throw e instanceof ChainValidator.Untrusted
            ? ProvisioningRefusal.wrongCredentials(message)
            : unauthorized(message);
      }
      checkIssuedHere(path, issuedHere);
      return admit(individual, what, ca, path);
    }
    ProvisioningRefusal first = null;
    boolean genuine = false; // a chain to some group's CA, refused for its time or shape
    for (EnrollmentRecord group : groups) {
      CaCertificateRecord ca = cas.get(group.caCertificate());
      if (ca == null) {
        continue;
      }
      List<X509Certificate> path;
      try {
        path = validator(ca, generations).validate(chain, now).path();
      } catch (ChainValidator.Untrusted e) {
        continue;
      } catch (PkiException e) {
        genuine = true;
        continue;
      }
      try {
        checkIssuedHere(path, issuedHere);
        return admit(group, "enrollment group '" + group.id() + "'", ca, path);
      } catch (ProvisioningRefusal r) {
        if (first == null || r.error() == ErrorCode.ENROLLMENT_DISABLED) {
          first = r; // a disabled group says more than an unverified CA
        }
      }
    }
    if (first != null) {
      throw first;
    }
    String message =
        "the client certificate's chain (issuer '"
            + chain.getLast().getIssuerX500Principal().getName()
            + "') leads to the CA certificate of no enrollment group";
    throw genuine ? unauthorized(message) : ProvisioningRefusal.wrongCredentials(message);
  }

  /**
   * A client certificate was presented and its CN is the registration id: no store, no signature,
   * checked before anything else of a request.
   */
  static void requireCertificateFor(String registrationId, List<X509Certificate> chain)
      throws ProvisioningRefusal {
    if (chain.isEmpty()) {
      throw unauthorized(
          "no TLS client certificate was presented; X.509 attestation needs the device's certificate");
    }
    X509Certificate leaf = chain.getFirst();
    String cn = Csr.commonName(X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded()));
    if (!cn.equals(registrationId)) {
      throw unauthorized(
          "the client certificate's CN '"
              + cn
              + "' is not the registration id '"
              + registrationId
              + "'");
    }
  }

  /**
   * The chain leads to the enrollment's CA: it is admitted when the CA is verified and the
   * enrollment enabled.
   */
  private static Attested admit(
      EnrollmentRecord enrollment, String what, CaCertificateRecord ca, List<X509Certificate> chain)
      throws ProvisioningRefusal {
    if (!ca.verified()) {
      throw unauthorized(
          "CA certificate '"
              + ca.name()
              + "' of "
              + what
              + " is not verified; upload it as verified or prove possession of its key");
    }
    if (!enrollment.enabled()) {
      throw new ProvisioningRefusal(ErrorCode.ENROLLMENT_DISABLED, what + " is disabled")
          .in(enrollment);
    }
    return new Attested(enrollment, chain);
  }

  /**
   * Every certificate of the path this server issued must not be revoked, and none above the leaf
   * may be one: a CA certificate this server issued to a device (an Edge CA) is never a trust path.
   */
  private static void checkIssuedHere(
      List<X509Certificate> path, Function<X509Certificate, CertificateRecord> issuedHere)
      throws ProvisioningRefusal {
    for (int i = 0; i < path.size(); i++) {
      CertificateRecord r = issuedHere.apply(path.get(i));
      if (r == null) {
        continue;
      }
      if (r.revoked()) {
        throw unauthorized(
            "certificate serial "
                + r.serial().toString(16)
                + " of the chain was revoked at "
                + r.revokedAt());
      }
      if (i > 0) {
        throw unauthorized(
            "the chain passes through certificate serial "
                + r.serial().toString(16)
                + " ('"
                + r.subject()
                + "'), a CA certificate this server issued to a device; it is not a trust path");
      }
    }
  }

  private static ChainValidator validator(
      CaCertificateRecord ca, Function<X509Certificate, List<X509Certificate>> generations) {
    X509Certificate trusted = ca.certificate();
    List<X509Certificate> anchors = new ArrayList<>();
    anchors.add(trusted);
    anchors.addAll(generations.apply(trusted));
    return new ChainValidator(anchors);
  }

  private static ProvisioningRefusal unauthorized(String message) {
    return new ProvisioningRefusal(ErrorCode.UNAUTHORIZED, message);
  }
}
