package dev.estuary.pki;

import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates a client's certificate chain (leaf first, as sent in TLS) against a set of trust
 * anchors at a given instant, and says in words why it fails. {@link #validateDirect} is the check
 * for labels: the leaf must be signed by an anchor itself. Revocation is the caller's job (it lives
 * in the store): {@link Validated#path()} names every certificate to check. Immutable and
 * thread-safe.
 */
public final class ChainValidator {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EKU = "2.5.29.37.0";

  private final Set<TrustAnchor> anchors;
  private final List<X509Certificate> anchorCerts;

  public ChainValidator(Collection<X509Certificate> trusted) {
    this.anchorCerts = List.copyOf(trusted);
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate c : trusted) {
      a.add(new TrustAnchor(c, null));
    }
    this.anchors = Set.copyOf(a);
  }

  public List<X509Certificate> anchors() {
    return anchorCerts;
  }

  /**
   * The chain does not lead to a trusted issuer: not issued by one, or a signature that does not
   * verify. What anyone can make without holding a genuine certificate, so what a failed-
   * authentication limit counts; a genuine certificate refused for its time, its usage or its shape
   * is a plain {@link PkiException}.
   */
  public static final class Untrusted extends PkiException {
    Untrusted(String reason) {
      super(reason);
    }

    Untrusted(String reason, Throwable cause) {
      super(reason, cause);
    }
  }

  /**
   * A validated client chain: the path from the leaf up to (without) the anchor, and the anchor.
   */
  public record Validated(List<X509Certificate> path, X509Certificate anchor) {
    public Validated {
      path = List.copyOf(path);
    }

    public X509Certificate leaf() {
      return path.get(0);
    }
  }

  /**
   * @return the trust anchor certificate the chain leads to
   * @throws PkiException naming why the chain is not acceptable
   */
  public X509Certificate validateClient(List<X509Certificate> presented, Instant at)
      throws PkiException {
    return validate(presented, at).anchor();
  }

  /**
   * Validates a client whose end-entity certificate must be signed <em>directly</em> by one of the
   * anchors: whatever else the client sent is ignored, so no intermediate (an Edge CA a device
   * holds, say) can ever stand between the leaf and a configured issuer.
   *
   * @return the validated path (the leaf alone) and the anchor that signed it
   * @throws PkiException naming why the certificate is not acceptable
   */
  public Validated validateDirect(List<X509Certificate> presented, Instant at) throws PkiException {
    if (presented.isEmpty()) {
      throw new PkiException("no client certificate was presented");
    }
    X509Certificate leaf = presented.get(0);
    boolean directAnchor =
        anchorCerts.stream()
            .anyMatch(a -> a.getSubjectX500Principal().equals(leaf.getIssuerX500Principal()));
    if (!directAnchor && !anchorCerts.contains(leaf) && !anchors.isEmpty()) {
      String who = "client certificate '" + leaf.getSubjectX500Principal().getName() + "'";
      throw new Untrusted(
          who
              + " is not issued by a CA trusted here (its issuer is '"
              + leaf.getIssuerX500Principal().getName()
              + "'): a client certificate must be signed directly by one of the label's issuers, never through an intermediate");
    }
    return validate(List.of(leaf), at);
  }

  /**
   * @return the validated path (leaf first, without the anchor) and the anchor
   * @throws PkiException naming why the chain is not acceptable
   */
  public Validated validate(List<X509Certificate> presented, Instant at) throws PkiException {
    if (presented.isEmpty()) {
      throw new PkiException("no client certificate was presented");
    }
    if (anchors.isEmpty()) {
      throw new PkiException("this label trusts no client certificate CA");
    }
    X509Certificate leaf = presented.get(0);
    String who = "client certificate '" + leaf.getSubjectX500Principal().getName() + "'";
    if (at.isAfter(leaf.getNotAfter().toInstant())) {
      throw new PkiException(who + " expired at " + leaf.getNotAfter().toInstant());
    }
    if (at.isBefore(leaf.getNotBefore().toInstant())) {
      throw new PkiException(who + " is not valid before " + leaf.getNotBefore().toInstant());
    }
    checkClientAuthUsage(leaf, who);
    List<X509Certificate> path = pathBelowAnchors(presented);
    if (path.isEmpty()) {
      throw new PkiException(who + " is itself a trust anchor, not an end-entity certificate");
    }
    if (leaf.getBasicConstraints() >= 0) {
      throw new PkiException(
          who + " is a CA certificate; a client identity must be an end-entity certificate");
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(at));
      PKIXCertPathValidatorResult result =
          (PKIXCertPathValidatorResult)
              CertPathValidator.getInstance("PKIX").validate(certPath, params);
      return new Validated(path, result.getTrustAnchor().getTrustedCert());
    } catch (CertPathValidatorException e) {
      String why = who + " " + explain(e, path);
      throw e.getReason() == BasicReason.EXPIRED || e.getReason() == BasicReason.NOT_YET_VALID
          ? new PkiException(why, e)
          : new Untrusted(why, e);
    } catch (CertificateException
        | NoSuchAlgorithmException
        | InvalidAlgorithmParameterException e) {
      throw new PkiException(who + " cannot be validated: " + e.getMessage(), e);
    }
  }

  /**
   * Orders what the client sent into a path from its leaf up to (not including) a trust anchor.
   * Clients send chains in odd shapes: leaf only, leaf + intermediates + root, or duplicates (the
   * Azure identity service stores enroll + cacerts answers one after the other).
   */
  private List<X509Certificate> pathBelowAnchors(List<X509Certificate> presented) {
    List<X509Certificate> path = new ArrayList<>();
    X509Certificate current = presented.get(0);
    if (anchorCerts.contains(current)) {
      return path;
    }
    path.add(current);
    while (path.size() <= presented.size()) {
      var issuer = current.getIssuerX500Principal();
      if (current.getSubjectX500Principal().equals(issuer)) {
        break; // self-signed, not an anchor: PKIX will say so
      }
      boolean anchorReached =
          anchorCerts.stream().anyMatch(a -> a.getSubjectX500Principal().equals(issuer));
      if (anchorReached) {
        break;
      }
      X509Certificate next = null;
      for (X509Certificate c : presented) {
        if (c.getSubjectX500Principal().equals(issuer) && !path.contains(c)) {
          next = c;
          break;
        }
      }
      if (next == null) {
        break;
      }
      path.add(next);
      current = next;
    }
    return path;
  }

  private static void checkClientAuthUsage(X509Certificate leaf, String who) throws PkiException {
    try {
      List<String> eku = leaf.getExtendedKeyUsage();
      if (eku != null && !eku.contains(CLIENT_AUTH) && !eku.contains(ANY_EKU)) {
        throw new PkiException(
            who + " is not allowed for TLS client authentication (no clientAuth EKU)");
      }
    } catch (CertificateParsingException e) {
      throw new PkiException(who + " has an unreadable extendedKeyUsage", e);
    }
  }

  private static String explain(CertPathValidatorException e, List<X509Certificate> path) {
    if (e.getReason() == BasicReason.EXPIRED) {
      return "has an expired certificate in its chain";
    }
    if (e.getReason() == BasicReason.NOT_YET_VALID) {
      return "has a not-yet-valid certificate in its chain";
    }
    if (e.getReason() == BasicReason.INVALID_SIGNATURE) {
      return "has a chain whose signature does not verify";
    }
    X509Certificate top = path.get(path.size() - 1);
    return "is not issued by a CA trusted here (chain ends at issuer '"
        + top.getIssuerX500Principal().getName()
        + "'): "
        + e.getMessage();
  }
}
