package dev.estuary.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Keys, CSRs and small CA hierarchies for the pki tests. Key pairs are cached per type: RSA is slow. */
final class TestMaterial {
  /** A fixed "now"; certificates in these tests live around it. */
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  static final SecureRandom RANDOM = new SecureRandom();
  static final Serials SERIALS = new Serials(RANDOM);

  private static final Map<String, KeyPair> KEYS = new ConcurrentHashMap<>();

  private TestMaterial() {}

  /** A cached key pair: ec-p256, ec-p384, rsa-2048, ed25519, plus the weak ec-p192 and rsa-1024. */
  static KeyPair key(String type) {
    return KEYS.computeIfAbsent(type, TestMaterial::generate);
  }

  /** A fresh, uncached key pair. */
  static KeyPair freshKey(String type) {
    return generate(type);
  }

  private static KeyPair generate(String type) {
    try {
      return switch (type) {
        case "ec-p192" -> {
          KeyPairGenerator g = KeyPairGenerator.getInstance("EC", Bc.provider());
          g.initialize(new ECGenParameterSpec("prime192v1"), RANDOM);
          yield g.generateKeyPair();
        }
        case "rsa-1024" -> {
          KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", Bc.provider());
          g.initialize(1024, RANDOM);
          yield g.generateKeyPair();
        }
        default -> KeyPairs.generate(type, RANDOM);
      };
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static SubjectPublicKeyInfo spki(KeyPair key) {
    return SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded());
  }

  /** DER of a PKCS#10 request for {@code subject}, signed with {@code key}, asking for {@code extensions}. */
  static byte[] csr(KeyPair key, String subject, Extension... extensions) {
    try {
      var b = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.getPublic());
      if (extensions.length > 0) {
        b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(extensions));
      }
      var signer =
          new JcaContentSignerBuilder(IssuingCa.signatureAlgorithm(key.getPublic()))
              .setProvider(Bc.provider())
              .build(key.getPrivate());
      return b.build(signer).getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static IssuingCa root(String cn) {
    return IssuingCa.createRoot(
        cn, new X500Name("CN=" + cn), freshKey("ec-p256"), Duration.ofDays(3650), T0.minus(Duration.ofDays(1)), SERIALS);
  }

  static IssuingCa intermediate(IssuingCa root, String cn) {
    return root.createSubordinate(
        cn, new X500Name("CN=" + cn), freshKey("ec-p256"), 0, Duration.ofDays(1825), T0.minus(Duration.ofDays(1)), SERIALS);
  }

  /** A certificate from {@code ca} for a fresh key, valid from T0 - 5 min to T0 + validity. */
  static X509Certificate leaf(IssuingCa ca, String subject, CertificateProfile profile, GeneralNames sans) {
    return ca.sign(
        new IssueOrder(
            new X500Name(subject),
            sans,
            spki(key("ec-p256")),
            profile,
            SERIALS.next(),
            T0.minus(IssuingCa.BACKDATE),
            T0.plus(profile.validity())));
  }
}
