package dev.estuary.pki;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
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

/** Keys, CSRs and small CA hierarchies for the pki tests. Key pairs are cached per type. */
final class TestMaterial {
  /** A fixed "now"; certificates in these tests live around it. */
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  static final SecureRandom RANDOM = new SecureRandom();
  static final Serials SERIALS = new Serials(RANDOM);

  private static final Map<String, KeyPair> KEYS = new ConcurrentHashMap<>();

  // RSA keys are fixed (PKCS#8): generating one takes seconds on a loaded machine. Test keys only.
  private static final String RSA_2048 =
      ""
          + "MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDWm+ZkRqIG4STrk1F2pzk6IkpDgsOYutZEZ4mtmSS80vxdNcaK"
          + "ZXJOYzVGWf/BuRY34sb7X7Nb2LzIB4rBfEmdpROzh+9pYF/mQL0L2eNvxkT56mpei7+Eup3WozZ3Gotc89yG8V+k5/qKTtAzCQbZ"
          + "e90kU68LP/CkImMR1VScuIsv87PHZtEvR7m5zyqB4/r5YRjIXjOFBAE9tBVvh+fBMM9ejpxSDZ9p3r8Di35ZtjjfLgMJtQ5UbhDM"
          + "CGmeUy3/glmwDGRpJeaUp/V10Ls0qC9EZEGefIfG7ukAY4jK7b0NlVVqn7FTxfvQeKVdklNo2hU5/so4JE34yxiLhSKDAgMBAAEC"
          + "ggEAGwK/MiLDtNr0cyP1DlqItNzo/OtB5ACsBCsF5JAQVCW39qFUjkmrY9tPsr2UF5VMixcjVTMb13UFeaWdXLHgcBN9UczLoLct"
          + "CsVeJdY0LnbFarEK10B+h92XDRM4wS/Zl4bn3CIYGCDMY0j9IldCAfB5il9v+hn/lyDu2ClB/4FtjfRV0L6tjg97Usr5l+IxUONi"
          + "dGcZRb8//nRBvzSDWjxY6UFZDTkMQNjC+v8hOn0q89DDE3HUHaxuDJtzbtrD4/Ow8XGqz0g2olC/evumKzTPOZ/vApQctCL8jjSC"
          + "ZAcBROtaSWIZIWoN2hIfH3NeaoEYjGiQQYeaQ8evOIXZ/QKBgQD1sOEfohk78AvHYBT2NkHk5Rn2T9GU2SgdpkvOWHB5PZwv4vxa"
          + "khdlX0Q/0koOmJuX2zrDIb4NmchmN0ipZbvLgGoEBaIhHl2g01/MBqcpFeUXSOZ9MD7f248FXtT/xNHzq2bWoJaQbjmSqu/DeBD6"
          + "C7fzN7vYCPGe+Jzzlo5E1wKBgQDfnSZbEXC01Y49+gDUgeQAGm6p7xLsJE8KWVfaeyirnbTlU28Nc7wFARcscUt8NijIfmFeWJD0"
          + "bFuHsgwFPEtC8RJw6Tp5ozvqPp/MVbGA5lLqmCfi/DIKK+htBXGnQHGfdNCe43kjBbIsV+QvJIoe8Uxu5ncgvELARp4vIVfuNQKB"
          + "gQDXb/mH3oEYEL6TXkojN6KCTu58ELOrPNwzW43fa6d8eKzLRNOZq77+MhJLkF9F+0V8XE1jq+PWU0Hpd5Ksj7ujj3/m9PWc6t6Y"
          + "1qCK7E6J9VwEFfWeUr7fVsxLnkNR38lmTKcJjplYHn83f9JsaY0hZUMw72802Wrdxg0Cf8NS0wKBgQDBZn/H//uEy7dsrw+MvJLf"
          + "6/yOiTHKf1TFVKSBWEfCtnHAbjr8XX7erSTH0W1CDu2TCotYOC2W2SkI4ds3pABL84jJk0556c5mOKeo6OzO2WYZdGP7E7iLx5IM"
          + "yMqVp00eZsAQzBj3S3PgmlvG0kmLnZNHz5h0/Z6WAf3KMYKFiQKBgQDqt5wmCHkENDwG8lb7g0OTlGTJIvHVXES2GYt0yEQ3Uk86"
          + "RVGv88OLFqX2Vai57APAWkN3g1XnQsA7jF79mS9ymGBZQgByfiC47aehJOZaCUbLWj+zuvsWRv6DAk6zbfgOFMUDIzHA7tzwWKc2"
          + "ffuy2ViPhxwNvcGex96W/nx/kg==";

  private static final String RSA_1024 =
      ""
          + "MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBALMar8kOOCTd3v2pL9+SYhZG0t35y4dSasIsEEGWNpLpClSoSFnp"
          + "1Am6PkRfKLcdhjjgJ34s+wWgpYsBI9S2G4u0l1+JnnQLzXSkr0rIxU34vRxxPftpVv3I9xDqnRhixQKDNwcCinxn85kJOM1kD4t0"
          + "nCbpF7qhYMf1a41ynPD1AgMBAAECgYBARY1bWwzuveftoy8YzdEBKX02RxOwhfTlpSZYQu1mntYkNxdvnKeIrhr2MifMPn4SHu5N"
          + "KxsRk+qUDV6sUIVlbSEd8kcnRhzw2eLW5ZLwcKK7vooobwhnIWn/S9C4578n2Pl1ZtEpQRocMkwvVnEmX1Xl3fs0saOXolauDN2Y"
          + "QQJBAN9irIN5OT55gKI8VT9YnYO1HOLadGKK5e2IYcExU0bvcXJx8iDDMqKOW8WbVwnbp5UUOyN5x5mHpvmlKUU3MGkCQQDNQPHF"
          + "+cI+pDBezZpsKq5I47lw7yzL4IMfaNeMWKAz2LS+/EQORXg0bqbeYLn3Ar6/w8bk2JeFEb1+J8nfYCqtAkBkQj83SuMcXSAUsIt6"
          + "QOWBRXpPfsiZqcmEkJ9/PAoqXjFGskl/1twVBVu/Fvc7n3BZgpkAVRn2mGGizjP1ss1xAkEAqVP0oXDkcK0fQna3+JhVY8iKicKm"
          + "4CL9yYHCoQPUVjFnG1AeDO/+tLK8cyS1BjR7jNREVzLf/WWfQF4uylsZmQJBAImmFC2o9j/q1PBeDFP+64JC8jR8Oti3vJ92ffKV"
          + "yDpbDO8NjPhyD3yzxocwHVPKxhlmMAjEciL++M2++k3nXnk=";

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
        case "rsa-1024" -> fixedRsa(RSA_1024);
        case "rsa-2048" -> fixedRsa(RSA_2048);
        default -> KeyPairs.generate(type, RANDOM);
      };
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair fixedRsa(String pkcs8Base64) throws GeneralSecurityException {
    KeyFactory rsa = KeyFactory.getInstance("RSA");
    var priv =
        (RSAPrivateCrtKey)
            rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8Base64)));
    var pub = rsa.generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent()));
    return new KeyPair(pub, priv);
  }

  static SubjectPublicKeyInfo spki(KeyPair key) {
    return SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded());
  }

  /**
   * DER of a PKCS#10 request for {@code subject}, signed with {@code key}, asking for {@code
   * extensions}.
   */
  static byte[] csr(KeyPair key, String subject, Extension... extensions) {
    try {
      var b = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.getPublic());
      if (extensions.length > 0) {
        b.addAttribute(
            PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(extensions));
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
        cn,
        new X500Name("CN=" + cn),
        freshKey("ec-p256"),
        Duration.ofDays(3650),
        T0.minus(Duration.ofDays(1)),
        SERIALS);
  }

  static IssuingCa intermediate(IssuingCa root, String cn) {
    return root.createSubordinate(
        cn,
        new X500Name("CN=" + cn),
        freshKey("ec-p256"),
        0,
        Duration.ofDays(1825),
        T0.minus(Duration.ofDays(1)),
        SERIALS);
  }

  /** A certificate from {@code ca} for a fresh key, valid from T0 - 5 min to T0 + validity. */
  static X509Certificate leaf(
      IssuingCa ca, String subject, CertificateProfile profile, GeneralNames sans) {
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
