package dev.estuary.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA that signs: its certificate, its chain up to the root, and its private key (in software or
 * in a token). Thread-safe; {@link #sign(IssueOrder)} builds exactly what the order says, and never
 * lets a certificate outlive this CA.
 *
 * @param chain this CA's certificate first, then its issuers up to and including the root
 * @param signerProvider the JCA provider that holds the key (null: Bouncy Castle for software keys)
 */
public record IssuingCa(
    String name, List<X509Certificate> chain, PrivateKey key, Provider signerProvider) {

  private static final JcaX509CertificateConverter CONVERTER = new JcaX509CertificateConverter();

  public IssuingCa {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a CA needs its certificate");
    }
  }

  public X509Certificate certificate() {
    return chain.get(0);
  }

  public X509Certificate root() {
    return chain.get(chain.size() - 1);
  }

  public X500Name subject() {
    return X500Name.getInstance(certificate().getSubjectX500Principal().getEncoded());
  }

  /**
   * Signs exactly what the order says, except that notAfter is cut to this CA's own notAfter, as a
   * JCA certificate: {@code issue(order).x509()}.
   */
  public X509Certificate sign(IssueOrder order) {
    return issue(order).x509();
  }

  /**
   * Signs exactly what the order says, except that notAfter is cut to this CA's own notAfter.
   * Returns the DER and its fields without parsing the DER into an {@link X509Certificate} (the
   * server's path: record, answer); {@link SignedCertificate#x509()} converts it when needed.
   */
  public SignedCertificate issue(IssueOrder order) {
    Instant caNotAfter = certificate().getNotAfter().toInstant();
    Instant notAfter = order.notAfter().isAfter(caNotAfter) ? caNotAfter : order.notAfter();
    if (!notAfter.isAfter(order.notBefore())) {
      throw new IllegalStateException(
          "CA '"
              + name
              + "' expires at "
              + caNotAfter
              + ", before a certificate from it could start ("
              + order.notBefore()
              + ")");
    }
    X509CertificateHolder holder =
        build(
            subject(),
            certificate().getPublicKey(),
            key,
            signerProvider,
            order.subject(),
            order.publicKey(),
            order.profile(),
            order.subjectAltNames(),
            order.serial(),
            order.notBefore(),
            notAfter);
    try {
      return new SignedCertificate(holder);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory ASN.1 encoding failed", e);
    }
  }

  /** A new self-signed root CA (no path length limit). */
  public static IssuingCa createRoot(
      String name,
      X500Name subject,
      KeyPair keyPair,
      Duration validity,
      Instant now,
      Serials serials) {
    X509Certificate cert =
        toX509(
            build(
                subject,
                keyPair.getPublic(),
                keyPair.getPrivate(),
                null,
                subject,
                SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded()),
                CertificateProfile.authority(-1, validity),
                null,
                serials.next(),
                now.minus(BACKDATE),
                now.plus(validity)));
    return new IssuingCa(name, List.of(cert), keyPair.getPrivate(), null);
  }

  /**
   * A self-signed end-entity certificate (client identity profile) for a key pair whose private
   * half may live in a token, e.g. the placeholder a PKCS#11 token keeps next to a key so that
   * SunPKCS11's keystore can find the key again.
   *
   * @param signer the provider holding {@code privateKey} (a PKCS#11 provider), or null for Bouncy
   *     Castle
   */
  public static X509Certificate selfSigned(
      String commonName,
      PublicKey publicKey,
      PrivateKey privateKey,
      Provider signer,
      Duration validity,
      Instant now,
      Serials serials) {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    return toX509(
        build(
            subject,
            publicKey,
            privateKey,
            signer,
            subject,
            SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()),
            CertificateProfile.clientIdentity(validity),
            null,
            serials.next(),
            now.minus(BACKDATE),
            now.plus(validity)));
  }

  /** A new CA below this one; {@code pathLen} 0 means it may only issue end entities. */
  public IssuingCa createSubordinate(
      String name,
      X500Name subject,
      KeyPair keyPair,
      int pathLen,
      Duration validity,
      Instant now,
      Serials serials) {
    return createSubordinate(
        name, subject, keyPair, CertificateProfile.authority(pathLen, validity), now, serials);
  }

  /** A new CA below this one, as {@code profile} (a CA profile) describes it. */
  public IssuingCa createSubordinate(
      String name,
      X500Name subject,
      KeyPair keyPair,
      CertificateProfile profile,
      Instant now,
      Serials serials) {
    if (!profile.ca()) {
      throw new IllegalArgumentException("a subordinate CA needs a CA profile");
    }
    X509Certificate cert =
        sign(
            new IssueOrder(
                subject,
                null,
                SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded()),
                profile,
                serials.next(),
                now.minus(BACKDATE),
                now.plus(profile.validity())));
    List<X509Certificate> newChain = new ArrayList<>();
    newChain.add(cert);
    newChain.addAll(chain);
    return new IssuingCa(name, newChain, keyPair.getPrivate(), null);
  }

  /** How far notBefore is set back from "now", for devices whose clocks run a little behind. */
  public static final Duration BACKDATE = Duration.ofMinutes(5);

  /**
   * The backdate for a certificate valid for {@code validity} from now: {@link #BACKDATE}, but at
   * most a tenth of the validity, so that a short-lived certificate ("2m") lives about as long as
   * configured and a device's percentage threshold means what it says.
   */
  public static Duration backdateFor(Duration validity) {
    Duration tenth = validity.dividedBy(10);
    return tenth.compareTo(BACKDATE) < 0 ? tenth : BACKDATE;
  }

  private static X509Certificate toX509(X509CertificateHolder holder) {
    try {
      return CONVERTER.getCertificate(holder);
    } catch (CertificateException e) {
      throw new IllegalStateException("signing failed: " + e.getMessage(), e);
    }
  }

  /** Builds and signs a certificate; also used for self-signed roots. */
  static X509CertificateHolder build(
      X500Name issuer,
      PublicKey issuerPublicKey,
      PrivateKey issuerKey,
      Provider provider,
      X500Name subject,
      SubjectPublicKeyInfo subjectKey,
      CertificateProfile profile,
      GeneralNames sans,
      BigInteger serial,
      Instant notBefore,
      Instant notAfter) {
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new X509v3CertificateBuilder(
              issuer,
              serial,
              CertificateTime.of(notBefore),
              CertificateTime.of(notAfter),
              subject,
              subjectKey);
      b.addExtension(
          Extension.basicConstraints,
          true,
          profile.ca()
              ? (profile.pathLen() >= 0
                  ? new BasicConstraints(profile.pathLen())
                  : new BasicConstraints(true))
              : new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(profile.keyUsage()));
      if (!profile.extendedKeyUsages().isEmpty()) {
        b.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(profile.extendedKeyUsages().toArray(KeyPurposeId[]::new)));
      }
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          ext.createAuthorityKeyIdentifier(issuerPublicKey));
      if (sans != null && sans.getNames().length > 0) {
        b.addExtension(Extension.subjectAlternativeName, subject.getRDNs().length == 0, sans);
      }
      CertificateProfile.Publication urls = profile.publication();
      if (urls != null && urls.crl() != null) {
        GeneralNames where =
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, urls.crl()));
        b.addExtension(
            Extension.cRLDistributionPoints,
            false,
            new CRLDistPoint(
                new DistributionPoint[] {
                  new DistributionPoint(new DistributionPointName(where), null, null)
                }));
      }
      if (urls != null && (urls.ocsp() != null || urls.caIssuers() != null)) {
        List<AccessDescription> access = new ArrayList<>();
        if (urls.ocsp() != null) {
          access.add(
              new AccessDescription(
                  AccessDescription.id_ad_ocsp,
                  new GeneralName(GeneralName.uniformResourceIdentifier, urls.ocsp())));
        }
        if (urls.caIssuers() != null) {
          access.add(
              new AccessDescription(
                  AccessDescription.id_ad_caIssuers,
                  new GeneralName(GeneralName.uniformResourceIdentifier, urls.caIssuers())));
        }
        b.addExtension(
            Extension.authorityInfoAccess,
            false,
            new AuthorityInformationAccess(access.toArray(new AccessDescription[0])));
      }
      if (!profile.excludedNames().isEmpty()) {
        b.addExtension(
            Extension.nameConstraints, true, NameConstraintsOf.excluded(profile.excludedNames()));
      }
      return b.build(signer(issuerKey, issuerPublicKey, provider));
    } catch (IOException | OperatorCreationException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("signing failed: " + e.getMessage(), e);
    }
  }

  /**
   * A signer with this CA's key (in software or in its token), for what else a CA signs: CRLs and
   * OCSP responses. Each call makes a new signer (a signer is not thread-safe).
   */
  public ContentSigner contentSigner() {
    try {
      return signer(key, certificate().getPublicKey(), signerProvider);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("CA '" + name + "' cannot sign: " + e.getMessage(), e);
    }
  }

  static ContentSigner signer(PrivateKey key, PublicKey publicKey, Provider provider)
      throws OperatorCreationException {
    JcaContentSignerBuilder b = new JcaContentSignerBuilder(signatureAlgorithm(publicKey));
    b.setProvider(provider != null ? provider : Bc.provider());
    return b.build(key);
  }

  /**
   * The signature algorithm that fits a CA key: ECDSA with the curve's hash, SHA-256 RSA, Ed25519.
   */
  public static String signatureAlgorithm(PublicKey key) {
    if (key instanceof ECKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      return bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
    }
    if (key instanceof RSAKey) {
      return "SHA256withRSA";
    }
    String alg = key.getAlgorithm();
    if (alg.equals("Ed25519") || alg.equals("EdDSA")) {
      return "Ed25519";
    }
    throw new IllegalArgumentException("unsupported CA key algorithm " + alg);
  }
}
