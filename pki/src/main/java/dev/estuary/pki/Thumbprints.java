package dev.estuary.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/** Certificate fingerprints as lower-case hex. */
public final class Thumbprints {
  private Thumbprints() {}

  public static String sha256(X509Certificate cert) {
    return digest("SHA-256", Certificates.der(cert));
  }

  public static String sha1(X509Certificate cert) {
    return digest("SHA-1", Certificates.der(cert));
  }

  public static String sha256(byte[] data) {
    return digest("SHA-256", data);
  }

  private static String digest(String alg, byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(alg + " is missing from this JDK", e);
    }
  }
}
