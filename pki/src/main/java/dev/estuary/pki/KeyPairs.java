package dev.estuary.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;

/** Generates key pairs in software by configuration name: ec-p256, ec-p384, rsa-2048, ed25519. */
public final class KeyPairs {
  private KeyPairs() {}

  public static KeyPair generate(String type, SecureRandom random) {
    String t = type.toLowerCase(Locale.ROOT);
    try {
      KeyPairGenerator g;
      switch (t) {
        case "ec-p256", "ec-p384", "ec-p521" -> {
          g = KeyPairGenerator.getInstance("EC", Bc.provider());
          g.initialize(new ECGenParameterSpec("secp" + t.substring(4) + "r1"), random);
        }
        case "ed25519" -> g = KeyPairGenerator.getInstance("Ed25519", Bc.provider());
        default -> {
          if (!t.matches("rsa-\\d{4}")) {
            throw new IllegalArgumentException(
                "unknown key type '" + type + "' (known: ec-p256, ec-p384, ec-p521, rsa-2048, rsa-3072, rsa-4096, ed25519)");
          }
          g = KeyPairGenerator.getInstance("RSA", Bc.provider());
          g.initialize(Integer.parseInt(t.substring(4)), random);
        }
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + type + " key: " + e.getMessage(), e);
    }
  }
}
