package dev.estuary.pki;

import java.util.Locale;
import java.util.Set;

/**
 * Which subject keys a label accepts.
 *
 * @param ecCurves accepted NIST curves, e.g. {@code P-256}, {@code P-384}
 * @param rsaMinBits smallest RSA modulus accepted; 0 refuses RSA
 * @param ed25519 whether Ed25519 keys are accepted
 */
public record KeyPolicy(Set<String> ecCurves, int rsaMinBits, boolean ed25519) {
  public static final KeyPolicy DEFAULT = new KeyPolicy(Set.of("P-256", "P-384"), 2048, false);

  public KeyPolicy {
    ecCurves = Set.copyOf(ecCurves);
    if (rsaMinBits != 0 && rsaMinBits < 2048) {
      throw new IllegalArgumentException("rsa_min_bits must be 0 (no RSA) or at least 2048, was " + rsaMinBits);
    }
  }

  /**
   * Parses the configuration form: a list like {@code ["ec-p256", "ec-p384", "rsa-2048",
   * "ed25519"]}.
   */
  public static KeyPolicy parse(Iterable<String> entries) {
    java.util.Set<String> curves = new java.util.TreeSet<>();
    int rsa = 0;
    boolean ed = false;
    for (String raw : entries) {
      String e = raw.trim().toLowerCase(Locale.ROOT);
      if (e.equals("ec-p256")) {
        curves.add("P-256");
      } else if (e.equals("ec-p384")) {
        curves.add("P-384");
      } else if (e.equals("ec-p521")) {
        curves.add("P-521");
      } else if (e.equals("ed25519")) {
        ed = true;
      } else if (e.matches("rsa-\\d+")) {
        int bits = Integer.parseInt(e.substring(4));
        rsa = rsa == 0 ? bits : Math.min(rsa, bits);
      } else {
        throw new IllegalArgumentException(
            "unknown key type '" + raw + "' (known: ec-p256, ec-p384, ec-p521, rsa-<min bits>, ed25519)");
      }
    }
    return new KeyPolicy(curves, rsa, ed);
  }

  /** Refuses a key the label does not accept, naming what it got and what it takes. */
  public void check(KeyDescription key) throws PkiException {
    boolean ok =
        switch (key.family()) {
          case "EC" -> ecCurves.contains(key.curve());
          case "RSA" -> rsaMinBits > 0 && key.bits() >= rsaMinBits;
          case "Ed25519" -> ed25519;
          default -> false;
        };
    if (!ok) {
      throw new PkiException("key " + key + " is not accepted here; accepted: " + describe());
    }
  }

  public String describe() {
    StringBuilder b = new StringBuilder();
    for (String c : new java.util.TreeSet<>(ecCurves)) {
      b.append(b.isEmpty() ? "" : ", ").append("EC ").append(c);
    }
    if (rsaMinBits > 0) {
      b.append(b.isEmpty() ? "" : ", ").append("RSA ").append(rsaMinBits).append("+");
    }
    if (ed25519) {
      b.append(b.isEmpty() ? "" : ", ").append("Ed25519");
    }
    return b.isEmpty() ? "none" : b.toString();
  }
}
