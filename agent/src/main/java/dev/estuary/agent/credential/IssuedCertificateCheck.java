package dev.estuary.agent.credential;

import dev.estuary.agent.text.Printable;
import dev.estuary.pki.CsrBuilder;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Decides whether a certificate an EST server issued may be installed on the device, before
 * anything is written. A server that the TLS check accepts is not thereby trusted to hand the
 * device any certificate at all: the answer must be
 *
 * <ul>
 *   <li>at most {@link #MAX_CERTIFICATES} certificates (the answer, and {@code cacerts} likewise);
 *   <li>for the key that signed the request;
 *   <li>valid now: not expired, and not valid only later ({@code notBefore} at most {@link
 *       #CLOCK_SKEW} ahead of the device's clock);
 *   <li>for the name requested: exactly one subject CN, the configured {@code common_name}, and no
 *       subjectAltName other than a DNS name equal to it (the agent asks for none);
 *   <li>of the kind the credential needs: a client identity ({@code est-id}, {@code device-id}) is
 *       not a CA, has digitalSignature when it has keyUsage and clientAuth when it has
 *       extendedKeyUsage; an Edge CA ({@code aziot-edged-ca}) is CA:TRUE with keyCertSign;
 *   <li>chained (PKIX) to the device's trust anchors ({@code trusted_certs}), through the
 *       certificates of the answer or of {@code cacerts}: only intermediates that themselves chain
 *       to those anchors count.
 * </ul>
 *
 * <p>What it returns is what the agent stores: the issued certificate first, then the intermediates
 * up to (not including) the trust anchor, in path order — what mTLS and DPS need to present. A
 * self-signed anchor (a root) is left out: every verifier has it already; an anchor that is itself
 * an intermediate (a pinned issuing CA) is kept, last.
 */
public final class IssuedCertificateCheck {
  /** The most certificates an answer (and a chain) may hold. */
  public static final int MAX_CERTIFICATES = 10;

  /** How far ahead of the device's clock an issued certificate's notBefore may be. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EKU = "2.5.29.37.0";
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  private static final int DNS_NAME = 2;

  private final Set<TrustAnchor> anchors;

  /**
   * @param trust the device's trust anchors ({@code trusted_certs}, and the system's if configured)
   */
  public IssuedCertificateCheck(Collection<X509Certificate> trust) {
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate c : trust) {
      a.add(new TrustAnchor(c, null));
    }
    this.anchors = Set.copyOf(a);
  }

  /** Why an answer was refused; what was wrong, in one line. */
  public static final class Unacceptable extends Exception {
    private final boolean unchained;

    Unacceptable(String message, boolean unchained) {
      super(message);
      this.unchained = unchained;
    }

    /** Whether only the chain is missing: intermediates from {@code cacerts} may complete it. */
    public boolean unchained() {
      return unchained;
    }
  }

  /**
   * What was asked for.
   *
   * @param key the public key the request was signed with
   * @param commonName the subject CN requested (the configured {@code common_name})
   * @param kind a client identity or an Edge CA
   */
  public record Expected(PublicKey key, String commonName, CsrBuilder.Kind kind) {
    public Expected {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(commonName, "commonName");
      Objects.requireNonNull(kind, "kind");
    }
  }

  /**
   * Checks an enrollment answer (the issued certificate first) at {@code now}, with {@code caCerts}
   * (the label's {@code cacerts}, possibly empty) as further candidate intermediates.
   *
   * @return the chain to store: the issued certificate, then its intermediates up to the anchor
   * @throws Unacceptable naming what is wrong
   */
  public List<X509Certificate> check(
      List<X509Certificate> answer, List<X509Certificate> caCerts, Expected expected, Instant now)
      throws Unacceptable {
    if (answer.isEmpty()) {
      throw new Unacceptable("the answer holds no certificate", false);
    }
    if (answer.size() > MAX_CERTIFICATES) {
      throw new Unacceptable(
          "the answer holds "
              + answer.size()
              + " certificates; at most "
              + MAX_CERTIFICATES
              + " are accepted",
          false);
    }
    if (caCerts.size() > MAX_CERTIFICATES) {
      throw new Unacceptable(
          "cacerts holds "
              + caCerts.size()
              + " certificates; at most "
              + MAX_CERTIFICATES
              + " are accepted",
          false);
    }
    X509Certificate leaf = answer.get(0);
    if (!Arrays.equals(leaf.getPublicKey().getEncoded(), expected.key().getEncoded())) {
      throw new Unacceptable("the certificate returned is for another key", false);
    }
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    if (now.isAfter(notAfter)) {
      throw new Unacceptable("the certificate returned expired at " + notAfter, false);
    }
    if (notBefore.isAfter(now.plus(CLOCK_SKEW))) {
      throw new Unacceptable(
          "the certificate returned is not valid before "
              + notBefore
              + " (the device's clock says "
              + now
              + ")",
          false);
    }
    checkNames(leaf, expected.commonName());
    checkKind(leaf, expected.kind());
    List<X509Certificate> candidates = new ArrayList<>(answer.subList(1, answer.size()));
    candidates.addAll(caCerts);
    // A notBefore slightly ahead of this clock (within CLOCK_SKEW) is judged at that instant.
    Instant at = notBefore.isAfter(now) ? notBefore : now;
    return chain(leaf, candidates, at);
  }

  /**
   * Checks a chain already on disk (leaf first): that it leads to a trust anchor. The dates are
   * judged at {@code now} brought within the leaf's validity, so an expired certificate is still
   * reported as expired (by its dates) rather than as untrusted.
   *
   * @return the path from the leaf up to (not including) the anchor
   * @throws Unacceptable naming what is wrong
   */
  public List<X509Certificate> stored(List<X509Certificate> chain, Instant now)
      throws Unacceptable {
    if (chain.isEmpty()) {
      throw new Unacceptable("no certificate", false);
    }
    if (chain.size() > MAX_CERTIFICATES) {
      throw new Unacceptable(
          "the chain holds "
              + chain.size()
              + " certificates; at most "
              + MAX_CERTIFICATES
              + " are accepted",
          false);
    }
    X509Certificate leaf = chain.get(0);
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    Instant at = now.isBefore(notBefore) ? notBefore : now.isAfter(notAfter) ? notAfter : now;
    return chain(leaf, chain.subList(1, chain.size()), at);
  }

  private List<X509Certificate> chain(
      X509Certificate leaf, List<X509Certificate> candidates, Instant at) throws Unacceptable {
    String issuer = Printable.of(leaf.getIssuerX500Principal().getName());
    if (anchors.isEmpty()) {
      throw new Unacceptable(
          "the certificate returned (issuer '" + issuer + "') cannot be checked: no trusted_certs",
          true);
    }
    if (!issuerAmong(leaf, candidates)) {
      // Path building would look for the issuer by name and find none: say so without it.
      throw new Unacceptable(
          "the certificate returned (issuer '"
              + issuer
              + "') does not chain to trusted_certs at "
              + at
              + " (neither trusted_certs nor the chain offered holds its issuer)",
          true);
    }
    try {
      Set<X509Certificate> all = new LinkedHashSet<>(candidates);
      all.add(leaf);
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(leaf);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(at));
      params.setMaxPathLength(MAX_CERTIFICATES - 1);
      params.addCertStore(
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(all)));
      PKIXCertPathBuilderResult result =
          (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
      List<X509Certificate> path = new ArrayList<>();
      for (var c : result.getCertPath().getCertificates()) {
        path.add((X509Certificate) c);
      }
      if (path.isEmpty() || !path.get(0).equals(leaf)) {
        throw new Unacceptable(
            "the certificate returned is itself a trust anchor, not an issued certificate", false);
      }
      // An anchor that is an intermediate (trusted_certs pinning an issuing CA) is still sent:
      // verifiers that trust the root above it (DPS, the hub) need it.
      X509Certificate anchor = result.getTrustAnchor().getTrustedCert();
      if (anchor != null
          && !anchor.getSubjectX500Principal().equals(anchor.getIssuerX500Principal())) {
        path.add(anchor);
      }
      return List.copyOf(path);
    } catch (CertPathBuilderException e) {
      throw new Unacceptable(
          "the certificate returned (issuer '"
              + issuer
              + "') does not chain to trusted_certs at "
              + at
              + (e.getMessage() == null ? "" : " (" + Printable.of(e.getMessage()) + ")"),
          true);
    } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("PKIX is not available: " + e.getMessage(), e);
    }
  }

  /** Whether a trust anchor or one of {@code candidates} is named as {@code leaf}'s issuer. */
  private boolean issuerAmong(X509Certificate leaf, List<X509Certificate> candidates) {
    X500Principal issuer = leaf.getIssuerX500Principal();
    for (TrustAnchor a : anchors) {
      if (a.getTrustedCert().getSubjectX500Principal().equals(issuer)) {
        return true;
      }
    }
    for (X509Certificate c : candidates) {
      if (c.getSubjectX500Principal().equals(issuer)) {
        return true;
      }
    }
    return false;
  }

  private static void checkNames(X509Certificate leaf, String commonName) throws Unacceptable {
    String subject = leaf.getSubjectX500Principal().getName();
    List<String> cns = new ArrayList<>();
    try {
      for (RDN rdn : X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded()).getRDNs()) {
        for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
          if (atv.getType().equals(BCStyle.CN)) {
            cns.add(
                atv.getValue() instanceof ASN1String text
                    ? text.getString()
                    : atv.getValue().toString());
          }
        }
      }
    } catch (RuntimeException e) {
      throw new Unacceptable("the certificate returned has an unreadable subject", false);
    }
    if (cns.size() != 1 || !cns.get(0).equals(commonName)) {
      throw new Unacceptable(
          "the certificate returned is for '"
              + Printable.of(subject)
              + "', not CN="
              + Printable.of(commonName)
              + " as requested",
          false);
    }
    Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new Unacceptable("the certificate returned has an unreadable subjectAltName", false);
    }
    if (sans != null) {
      for (List<?> san : sans) {
        boolean sameDns =
            san.size() == 2
                && Integer.valueOf(DNS_NAME).equals(san.get(0))
                && commonName.equals(san.get(1));
        if (!sameDns) {
          throw new Unacceptable(
              "the certificate returned names "
                  + Printable.of(String.valueOf(san.size() == 2 ? san.get(1) : san))
                  + " in its subjectAltName, which was not requested",
              false);
        }
      }
    }
  }

  private static void checkKind(X509Certificate leaf, CsrBuilder.Kind kind) throws Unacceptable {
    boolean isCa = leaf.getBasicConstraints() >= 0;
    boolean[] keyUsage = leaf.getKeyUsage();
    switch (kind) {
      case EDGE_CA -> {
        if (!isCa) {
          throw new Unacceptable(
              "the certificate returned for the Edge CA is not a CA certificate (is the URL an Edge CA label?)",
              false);
        }
        if (keyUsage == null || keyUsage.length <= KEY_CERT_SIGN || !keyUsage[KEY_CERT_SIGN]) {
          throw new Unacceptable(
              "the certificate returned for the Edge CA may not sign certificates (no keyCertSign)",
              false);
        }
      }
      case CLIENT_IDENTITY -> {
        if (isCa) {
          throw new Unacceptable(
              "the certificate returned for a client identity is a CA certificate", false);
        }
        if (keyUsage != null
            && (keyUsage.length <= DIGITAL_SIGNATURE || !keyUsage[DIGITAL_SIGNATURE])) {
          throw new Unacceptable(
              "the certificate returned for a client identity may not sign (no digitalSignature)",
              false);
        }
        List<String> eku;
        try {
          eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
          throw new Unacceptable(
              "the certificate returned has an unreadable extendedKeyUsage", false);
        }
        if (eku != null && !eku.contains(CLIENT_AUTH) && !eku.contains(ANY_EKU)) {
          throw new Unacceptable(
              "the certificate returned for a client identity is not for TLS client authentication (no clientAuth)",
              false);
        }
      }
    }
  }
}
