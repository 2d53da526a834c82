package dev.estuary.server.ca;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.NameConstraintsOf;
import dev.estuary.pki.Serials;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A new CA hierarchy, as quickstart and {@code estuary server init} make it: an EC P-256 root and
 * one issuing CA per EST label ({@code <label>-ca}; the {@code edge-ca} label's with pathlen 1, as
 * it issues CA certificates itself, and the server's names excluded beneath it), a TLS-only issuing
 * CA where the caller adds one, and the TLS server certificates they sign. No I/O: the caller
 * stores the keys.
 */
public final class CaHierarchy {
  /** Lifetime of a new root. */
  public static final Duration ROOT_VALIDITY = Duration.ofDays(20 * 365);

  /** Lifetime of a new issuing CA. */
  public static final Duration ISSUING_VALIDITY = Duration.ofDays(10 * 365);

  private final String namePrefix;
  private final Instant now;
  private final Serials serials;
  private final SecureRandom random;
  private final IssuingCa root;
  private final Map<String, IssuingCa> issuing = new LinkedHashMap<>();

  private CaHierarchy(String namePrefix, Instant now, Serials serials, SecureRandom random) {
    this.namePrefix = namePrefix;
    this.now = now;
    this.serials = serials;
    this.random = random;
    this.root =
        IssuingCa.createRoot(
            "root",
            new X500Name("CN=" + namePrefix + " Root CA,O=Estuary"),
            KeyPairs.generate("ec-p256", random),
            ROOT_VALIDITY,
            now,
            serials);
  }

  /**
   * A root named "{@code namePrefix} Root CA" and an issuing CA "{@code namePrefix} LABEL CA"
   * (alias {@code LABEL-ca}) for each label. The {@code edge-ca} label's CA excludes {@code
   * serverNames} (the names the server's TLS certificate will carry) beneath it, so that no Edge CA
   * it issues can mint a certificate for the server (docs/security.md).
   */
  public static CaHierarchy create(
      String namePrefix,
      List<String> labels,
      GeneralNames serverNames,
      Instant now,
      Serials serials,
      SecureRandom random) {
    CaHierarchy h = new CaHierarchy(namePrefix, now, serials, random);
    for (String label : labels) {
      // The Edge CA label issues CAs (pathlen 0) below its own, which may never name the server.
      CertificateProfile profile =
          label.equals("edge-ca")
              ? CertificateProfile.authority(1, ISSUING_VALIDITY)
                  .excluding(NameConstraintsOf.serverNames(serverNames))
              : CertificateProfile.authority(0, ISSUING_VALIDITY);
      h.addIssuingCa(label + "-ca", namePrefix + " " + label + " CA", profile);
    }
    return h;
  }

  /**
   * As {@link #create(String, List, GeneralNames, Instant, Serials, SecureRandom)}, excluding no
   * names.
   */
  public static CaHierarchy create(
      String namePrefix, List<String> labels, Instant now, Serials serials, SecureRandom random) {
    return create(namePrefix, labels, new GeneralNames(new GeneralName[0]), now, serials, random);
  }

  /** A further issuing CA below the root, e.g. one that only issues TLS server certificates. */
  public IssuingCa addIssuingCa(String alias, String commonName, int pathLen) {
    return addIssuingCa(alias, commonName, CertificateProfile.authority(pathLen, ISSUING_VALIDITY));
  }

  private IssuingCa addIssuingCa(String alias, String commonName, CertificateProfile profile) {
    IssuingCa ca =
        root.createSubordinate(
            alias,
            new X500Name("CN=" + commonName + ",O=Estuary"),
            KeyPairs.generate("ec-p256", random),
            profile,
            now,
            serials);
    issuing.put(alias, ca);
    return ca;
  }

  public IssuingCa root() {
    return root;
  }

  /** The issuing CAs by alias, in the order they were made. */
  public Map<String, IssuingCa> issuing() {
    return Map.copyOf(issuing);
  }

  public IssuingCa issuing(String alias) {
    IssuingCa ca = issuing.get(alias);
    if (ca == null) {
      throw new IllegalArgumentException(
          "no issuing CA '" + alias + "' (have: " + String.join(", ", issuing.keySet()) + ")");
    }
    return ca;
  }

  /** Puts the root ({@code root}) and every issuing CA, each with its chain, into {@code ks}. */
  public void storeIn(KeyStore ks, char[] password) throws GeneralSecurityException {
    put(ks, root, password);
    for (IssuingCa ca : issuing.values()) {
      put(ks, ca, password);
    }
  }

  /** Puts {@code ca}'s key under its name with its chain. */
  public static void put(KeyStore ks, IssuingCa ca, char[] password)
      throws GeneralSecurityException {
    ks.setKeyEntry(ca.name(), ca.key(), password, ca.chain().toArray(Certificate[]::new));
  }

  /**
   * A TLS server certificate for {@code key} with the given DNS/IP subject alternative names,
   * signed by {@code issuer}; returned with the issuer's chain (leaf first), as the key entry
   * serving HTTPS needs it.
   */
  public static List<X509Certificate> tlsCertificate(
      IssuingCa issuer,
      KeyPair key,
      String commonName,
      GeneralNames names,
      Duration validity,
      Instant now,
      Serials serials) {
    X509Certificate tls =
        issuer.sign(
            new IssueOrder(
                new X500Name("CN=" + commonName + ",O=Estuary"),
                names,
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
                CertificateProfile.tlsServer(validity),
                serials.next(),
                now.minus(IssuingCa.BACKDATE),
                now.plus(validity)));
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(tls);
    chain.addAll(issuer.chain());
    return chain;
  }

  @Override
  public String toString() {
    return "CaHierarchy[" + namePrefix + ": root, " + String.join(", ", issuing.keySet()) + "]";
  }
}
