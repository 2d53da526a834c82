package dev.estuary.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Which subject keys a label accepts. Checked on the request's SubjectPublicKeyInfo alone, before
 * the request's signature is verified ({@link Csr#parse(byte[], KeyPolicy)}): a key the label
 * refuses costs no signature verification (an RSA key with a 16384-bit modulus and exponent costs
 * seconds of CPU to verify).
 *
 * @param ecCurves accepted NIST curves, e.g. {@code P-256}, {@code P-384}; named curves only
 * @param rsaMinBits smallest RSA modulus accepted; 0 refuses RSA
 * @param rsaMaxBits largest RSA modulus accepted ({@value #RSA_DEFAULT_MAX_BITS} unless configured,
 *     at most {@value #RSA_LIMIT_BITS})
 * @param ed25519 whether Ed25519 keys are accepted
 */
public record KeyPolicy(Set<String> ecCurves, int rsaMinBits, int rsaMaxBits, boolean ed25519) {
  /** The largest RSA modulus accepted unless a label configures more. */
  public static final int RSA_DEFAULT_MAX_BITS = 4096;

  /** The largest RSA modulus any label can accept. */
  public static final int RSA_LIMIT_BITS = 8192;

  /** The largest RSA public exponent accepted, 2^32 (as in common practice: 65537 is usual). */
  private static final BigInteger MAX_EXPONENT = BigInteger.ONE.shiftLeft(32);

  public static final KeyPolicy DEFAULT = new KeyPolicy(Set.of("P-256", "P-384"), 2048, false);

  public KeyPolicy {
    ecCurves = Set.copyOf(ecCurves);
    if (rsaMinBits != 0 && rsaMinBits < 2048) {
      throw new IllegalArgumentException(
          "rsa_min_bits must be 0 (no RSA) or at least 2048, was " + rsaMinBits);
    }
    if (rsaMaxBits > RSA_LIMIT_BITS) {
      throw new IllegalArgumentException(
          "the largest RSA key accepted can be at most "
              + RSA_LIMIT_BITS
              + " bits, was "
              + rsaMaxBits);
    }
    if (rsaMinBits > rsaMaxBits) {
      throw new IllegalArgumentException(
          "the smallest RSA key accepted ("
              + rsaMinBits
              + " bits) is larger than the largest ("
              + rsaMaxBits
              + ")");
    }
  }

  /**
   * RSA from {@code rsaMinBits} up to {@value #RSA_DEFAULT_MAX_BITS} bits (or {@code rsaMinBits}
   * when larger).
   */
  public KeyPolicy(Set<String> ecCurves, int rsaMinBits, boolean ed25519) {
    this(ecCurves, rsaMinBits, Math.max(RSA_DEFAULT_MAX_BITS, rsaMinBits), ed25519);
  }

  /**
   * Parses the configuration form: a list like {@code ["ec-p256", "ec-p384", "rsa-2048",
   * "ed25519"]}. {@code rsa-N} accepts RSA from N bits up to {@value #RSA_DEFAULT_MAX_BITS}; {@code
   * rsa-N-M} from N up to M bits (M at most {@value #RSA_LIMIT_BITS}).
   */
  public static KeyPolicy parse(Iterable<String> entries) {
    Set<String> curves = new TreeSet<>();
    int rsa = 0;
    int rsaMax = 0;
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
      } else if (e.matches("rsa-\\d{1,6}(-\\d{1,6})?")) {
        String[] sizes = e.substring(4).split("-");
        int bits = Integer.parseInt(sizes[0]);
        int max =
            sizes.length > 1 ? Integer.parseInt(sizes[1]) : Math.max(RSA_DEFAULT_MAX_BITS, bits);
        rsa = rsa == 0 ? bits : Math.min(rsa, bits);
        rsaMax = Math.max(rsaMax, max);
      } else {
        throw new IllegalArgumentException(
            "unknown key type '"
                + raw
                + "' (known: ec-p256, ec-p384, ec-p521, rsa-<min bits>, rsa-<min bits>-<max bits>, ed25519)");
      }
    }
    return rsa == 0 ? new KeyPolicy(curves, 0, ed) : new KeyPolicy(curves, rsa, rsaMax, ed);
  }

  /**
   * Reads the key of a request and checks it: family, curve, size and, for RSA, the public exponent
   * (odd, from 3 up to 2^32). Only ASN.1 is read; nothing is computed with the key.
   *
   * @return the key's description
   * @throws PkiException naming what is wrong and what the label accepts
   */
  public KeyDescription check(SubjectPublicKeyInfo spki) throws PkiException {
    KeyDescription key = KeyDescription.of(spki);
    check(key);
    if (key.family().equals("RSA")) {
      BigInteger e;
      try {
        e = RSAPublicKey.getInstance(spki.parsePublicKey()).getPublicExponent();
      } catch (IOException | RuntimeException x) {
        throw new PkiException("the RSA public key in the request cannot be read", x);
      }
      if (e.signum() <= 0
          || !e.testBit(0)
          || e.compareTo(BigInteger.valueOf(3)) < 0
          || e.compareTo(MAX_EXPONENT) > 0) {
        throw new PkiException(
            "the RSA public exponent ("
                + (e.bitLength() > 64 ? e.bitLength() + " bits" : e.toString())
                + ") is not accepted: it must be odd, at least 3 and at most 2^32 (65537 is usual)");
      }
    }
    return key;
  }

  /** Refuses a key the label does not accept, naming what it got and what it takes. */
  public void check(KeyDescription key) throws PkiException {
    boolean ok =
        switch (key.family()) {
          case "EC" -> ecCurves.contains(key.curve());
          case "RSA" -> rsaMinBits > 0 && key.bits() >= rsaMinBits && key.bits() <= rsaMaxBits;
          case "Ed25519" -> ed25519;
          default -> false;
        };
    if (!ok) {
      throw new PkiException("key " + key + " is not accepted here; accepted: " + describe());
    }
  }

  public String describe() {
    StringBuilder b = new StringBuilder();
    for (String c : new TreeSet<>(ecCurves)) {
      b.append(b.isEmpty() ? "" : ", ").append("EC ").append(c);
    }
    if (rsaMinBits > 0) {
      b.append(b.isEmpty() ? "" : ", ")
          .append("RSA ")
          .append(rsaMinBits)
          .append("-")
          .append(rsaMaxBits);
    }
    if (ed25519) {
      b.append(b.isEmpty() ? "" : ", ").append("Ed25519");
    }
    return b.isEmpty() ? "none" : b.toString();
  }
}
