package dev.estuary.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chain's hash: record n's hash is SHA-256 over its canonical fields and record n−1's hash (for
 * record 1: 64 zeros). Canonical: the fields in a fixed order (id, time in microseconds since the
 * epoch, event, actor, label, subject, serial, details, previous hash), each as {@code <UTF-8 byte
 * length>:<bytes>} or {@code -} for null, joined by {@code ,}: no two different records encode
 * alike. The details are stored as a JSON object with sorted keys, and hashed as stored.
 */
public final class AuditChain {
  /** The previous hash of the first record. */
  public static final String GENESIS = "0".repeat(64);

  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditChain() {}

  public static String hash(
      long id,
      Instant at,
      String event,
      String actor,
      String label,
      String subject,
      String serial,
      String details,
      String prevHash) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    field(out, Long.toString(id));
    field(out, Long.toString(micros(at)));
    field(out, event);
    field(out, actor);
    field(out, label);
    field(out, subject);
    field(out, serial);
    field(out, details);
    field(out, prevHash);
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(out.toByteArray()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The stored time's precision: both engines keep microseconds. */
  static Instant truncate(Instant at) {
    return at.truncatedTo(ChronoUnit.MICROS);
  }

  static long micros(Instant at) {
    Instant t = truncate(at);
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  /** The details as stored: a JSON object, keys sorted. */
  static String details(Map<String, String> details) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(details));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void field(ByteArrayOutputStream out, String value) {
    if (out.size() > 0) {
      out.write(',');
    }
    if (value == null) {
      out.write('-');
      return;
    }
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
    out.write(':');
    out.writeBytes(b);
  }
}
