package dev.estuary.pki;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Locale;
import org.bouncycastle.math.ec.ECPoint;

/** Generates key pairs in software by configuration name: ec-p256, ec-p384, rsa-2048, ed25519. */
public final class KeyPairs {
  private KeyPairs() {}

  /**
   * The same software key as the JDK's own providers make it. JSSE picks client keys by their
   * algorithm name and takes Bouncy Castle's {@code "ECDSA"} keys for no EC key at all, so a key
   * used for TLS client authentication must come from here.
   *
   * @throws PkiException if the JDK cannot read the key's PKCS#8 encoding
   */
  public static PrivateKey forJsse(PrivateKey key) throws PkiException {
    String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new PkiException(
          "cannot convert a " + key.getAlgorithm() + " key for TLS: " + e.getMessage(), e);
    }
  }

  /**
   * The public half of a software private key (EC or RSA with CRT parameters, as PKCS#8 files hold
   * them), so a key file need hold only the private key, as aziot's keyd files do.
   *
   * @throws PkiException for a key type whose public half cannot be derived
   */
  public static PublicKey publicKeyOf(PrivateKey key) throws PkiException {
    try {
      if (key instanceof RSAPrivateCrtKey rsa) {
        return KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      }
      if (key instanceof ECPrivateKey ec
          && ec.getParams().getCurve().getField() instanceof ECFieldFp field) {
        // Q = s·G, with Bouncy Castle's lightweight arithmetic (no JCA provider needed for it).
        ECPoint q = NamedCurves.multiplyGenerator(ec.getParams(), field, ec.getS()).normalize();
        java.security.spec.ECPoint w =
            new java.security.spec.ECPoint(
                q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ec.getParams()));
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new PkiException(
          "cannot derive the public key of a " + key.getAlgorithm() + " key: " + e.getMessage(), e);
    }
    throw new PkiException(
        "cannot derive the public key of a "
            + key.getAlgorithm()
            + " key ("
            + key.getClass().getSimpleName()
            + ")");
  }

  /**
   * A software key pair of a configuration type, made by the JDK's own providers (SunEC,
   * SunRsaSign), so it serves JSSE as it is and a device needs no Bouncy Castle provider. The
   * server converts its CA keys to Bouncy Castle keys when it loads them (faster signing).
   */
  public static KeyPair generate(String type, SecureRandom random) {
    String t = type.toLowerCase(Locale.ROOT);
    try {
      KeyPairGenerator g;
      switch (t) {
        case "ec-p256", "ec-p384", "ec-p521" -> {
          g = KeyPairGenerator.getInstance("EC");
          g.initialize(new ECGenParameterSpec("secp" + t.substring(4) + "r1"), random);
        }
        case "ed25519" -> g = KeyPairGenerator.getInstance("Ed25519");
        default -> {
          if (!t.matches("rsa-\\d{4}")) {
            throw new IllegalArgumentException(
                "unknown key type '"
                    + type
                    + "' (known: ec-p256, ec-p384, ec-p521, rsa-2048, rsa-3072, rsa-4096, ed25519)");
          }
          g = KeyPairGenerator.getInstance("RSA");
          g.initialize(Integer.parseInt(t.substring(4)), random);
        }
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + type + " key: " + e.getMessage(), e);
    }
  }
}
