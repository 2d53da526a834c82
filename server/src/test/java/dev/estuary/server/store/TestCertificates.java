package dev.estuary.server.store;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Made-up certificate records for store tests. Every call makes a distinct DER (random bytes after
 * the serial), so two records never share a SHA-256 unless they are the same record.
 */
final class TestCertificates {

  /** A fixed "now" for tests. */
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  private static final SecureRandom RANDOM = new SecureRandom();

  private TestCertificates() {}

  static CertificateRecord cert(long serial) {
    return cert(BigInteger.valueOf(serial), "CN=device-" + serial, T0);
  }

  static CertificateRecord cert(BigInteger serial, String subject, Instant issuedAt) {
    byte[] serialBytes = serial.toByteArray();
    byte[] noise = new byte[48];
    RANDOM.nextBytes(noise);
    byte[] der =
        ByteBuffer.allocate(serialBytes.length + noise.length).put(serialBytes).put(noise).array();
    return new CertificateRecord(
        serial,
        subject,
        "CN=Estuary Test CA",
        issuedAt.minus(Duration.ofMinutes(5)),
        issuedAt.plus(Duration.ofDays(365)),
        "sensors",
        "EC P-256",
        sha256Hex(der),
        "secret",
        "factory-1",
        issuedAt,
        der,
        null,
        null,
        "x509:test-principal");
  }

  static BootstrapSecret secret(String id, Integer usesRemaining, Instant expiresAt) {
    return new BootstrapSecret(
        id,
        "sensors",
        "pbkdf2$hash-of-" + id,
        T0.minus(Duration.ofDays(1)),
        expiresAt,
        usesRemaining,
        false);
  }

  private static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
