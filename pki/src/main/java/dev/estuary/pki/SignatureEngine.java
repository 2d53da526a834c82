package dev.estuary.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Which JCA provider performs the two signature operations every enrollment makes: verifying the
 * CSR's proof of possession and signing the certificate with a CA key held in software. Bouncy
 * Castle by default. A server may prefer a provider backed by native code (Conscrypt's BoringSSL
 * signs P-256 about four times and verifies a fresh P-256 key about three times as fast as Bouncy
 * Castle on the benchmark machine: docs/benchmarks.md) for ECDSA and RSA PKCS#1 v1.5; Bouncy Castle
 * keeps doing the rest (Ed25519, RSASSA-PSS with parameters). Immutable and thread-safe.
 */
public final class SignatureEngine {
  /** Bouncy Castle for everything: the pki core's own choice, and every device's. */
  public static final SignatureEngine BOUNCY_CASTLE = new SignatureEngine("bouncycastle", null);

  /** The JCA signature names a preferred provider may take over, by the key algorithm they need. */
  private static final Map<String, String> KEY_ALGORITHM_OF =
      Map.of(
          "SHA256withECDSA", "EC",
          "SHA384withECDSA", "EC",
          "SHA512withECDSA", "EC",
          "SHA256withRSA", "RSA",
          "SHA384withRSA", "RSA",
          "SHA512withRSA", "RSA");

  /** id-ecPublicKey and rsaEncryption, the SubjectPublicKeyInfo algorithms of those keys. */
  private static final Map<String, String> KEY_ALGORITHM_OF_SPKI =
      Map.of("1.2.840.10045.2.1", "EC", "1.2.840.113549.1.1.1", "RSA");

  private final String name;
  private final Provider preferred; // null: Bouncy Castle alone

  private SignatureEngine(String name, Provider preferred) {
    this.name = name;
    this.preferred = preferred;
  }

  /**
   * An engine that verifies and signs ECDSA and RSA PKCS#1 v1.5 with {@code provider}, and
   * everything else with Bouncy Castle.
   *
   * @param name what the server's start line and configuration call it, e.g. {@code conscrypt}
   * @throws IllegalArgumentException when the provider lacks one of those signatures or key
   *     factories (it would otherwise fail only on the first such request)
   */
  public static SignatureEngine preferring(String name, Provider provider) {
    Objects.requireNonNull(provider, "provider");
    for (Map.Entry<String, String> e : KEY_ALGORITHM_OF.entrySet()) {
      if (provider.getService("Signature", e.getKey()) == null
          || provider.getService("KeyFactory", e.getValue()) == null) {
        throw new IllegalArgumentException(
            "the JCA provider "
                + provider.getName()
                + " has no "
                + e.getKey()
                + " signature or "
                + e.getValue()
                + " key factory");
      }
    }
    return new SignatureEngine(name, provider);
  }

  /** {@code bouncycastle}, or the name given to {@link #preferring}. */
  public String name() {
    return name;
  }

  /**
   * A {@link Signature} ready to verify with the key {@code spki} describes.
   *
   * @param algorithm a JCA signature name, e.g. {@code SHA256withECDSA}
   */
  public Signature verifier(String algorithm, SubjectPublicKeyInfo spki)
      throws GeneralSecurityException, IOException {
    String keyAlgorithm = KEY_ALGORITHM_OF.get(algorithm);
    String spkiAlgorithm = spki.getAlgorithm().getAlgorithm().getId();
    if (preferred != null
        && keyAlgorithm != null
        && keyAlgorithm.equals(KEY_ALGORITHM_OF_SPKI.get(spkiAlgorithm))) {
      PublicKey key =
          KeyFactory.getInstance(keyAlgorithm, preferred)
              .generatePublic(new X509EncodedKeySpec(spki.getEncoded(ASN1Encoding.DER)));
      Signature signature = Signature.getInstance(algorithm, preferred);
      signature.initVerify(key);
      return signature;
    }
    Signature signature = Signature.getInstance(algorithm, Bc.provider());
    signature.initVerify(BouncyCastleProvider.getPublicKey(spki));
    return signature;
  }

  /**
   * A CA whose key is held in software, signing with this engine: the key is converted once, here,
   * into the provider's own form, so that no signature pays for a conversion.
   */
  public IssuingCa issuingCa(String name, List<X509Certificate> chain, PrivateKey key)
      throws GeneralSecurityException {
    String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
    boolean native_ = preferred != null && KEY_ALGORITHM_OF.containsValue(algorithm);
    Provider provider = native_ ? preferred : Bc.provider();
    PrivateKey held =
        KeyFactory.getInstance(algorithm, provider)
            .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    return new IssuingCa(name, chain, held, native_ ? preferred : null);
  }

  @Override
  public String toString() {
    return name;
  }
}
