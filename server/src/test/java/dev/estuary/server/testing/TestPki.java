package dev.estuary.server.testing;

import dev.estuary.pki.Bc;
import dev.estuary.pki.ClientTls;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import dev.estuary.pki.Serials;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Keys, CSRs and TLS contexts for tests (a device's side of things). */
public final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestPki() {}

  /** ec-p256, ec-p384, rsa-2048, rsa-1024 (for refusals), ed25519, ... */
  public static KeyPair key(String type) {
    if (type.equals("rsa-1024") || type.equals("ec-p192")) {
      try {
        var g = KeyPairGenerator.getInstance(type.startsWith("rsa") ? "RSA" : "EC", Bc.provider());
        if (type.startsWith("rsa")) {
          g.initialize(1024, RANDOM);
        } else {
          g.initialize(new ECGenParameterSpec("prime192v1"), RANDOM);
        }
        return g.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    return KeyPairs.generate(type, RANDOM);
  }

  /**
   * A signed PKCS#10 CSR (DER) for {@code subject} ("CN=x"), with optional requested extensions.
   */
  public static byte[] csr(KeyPair key, String subject, Extension... extensions) {
    try {
      var b = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.getPublic());
      if (extensions.length > 0) {
        b.addAttribute(
            PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(extensions));
      }
      String alg = IssuingCa.signatureAlgorithm(key.getPublic());
      PKCS10CertificationRequest csr =
          b.build(
              new JcaContentSignerBuilder(alg).setProvider(Bc.provider()).build(key.getPrivate()));
      return csr.getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A PKCS#12 key store holding {@code key} under {@code alias} with a self-signed certificate (CN
   * = the alias, a day long), its entry protected by {@code password}: a TLS key as Jetty loads it.
   */
  public static KeyStore keyStore(KeyPair key, String alias, char[] password) {
    try {
      X509Certificate cert =
          IssuingCa.selfSigned(
              alias,
              key.getPublic(),
              key.getPrivate(),
              null,
              Duration.ofDays(1),
              Instant.now(),
              new Serials(RANDOM));
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(alias, key.getPrivate(), password, new Certificate[] {cert});
      return store;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM text of a key (PKCS#8) for files handed to curl/openssl. */
  public static String pem(Object o) {
    return Pem.encode(o);
  }

  /** TLS context trusting {@code root}, presenting {@code chain}/{@code key} when given (mTLS). */
  public static SSLContext tls(X509Certificate root, List<X509Certificate> chain, PrivateKey key) {
    try {
      return ClientTls.context(List.of(root), chain, key);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
