package dev.estuary.pki;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.Time;

/**
 * A certificate's validity times (RFC 5280 4.1.2.5), written and read without {@code java.text}:
 * Bouncy Castle's {@code Time(Date)} and its {@code getDate()} make a new {@code SimpleDateFormat}
 * on every call, 2 % of a warm enrollment's server CPU (docs/benchmarks.md). The encoding is the
 * one {@code Time(Date)} gives: UTCTime {@code YYMMDDHHMMSSZ} for the years 1950 to 2049,
 * GeneralizedTime {@code YYYYMMDDHHMMSSZ} otherwise, whole seconds.
 */
final class CertificateTime {
  private static final int UTC_TIME = 0x17;
  private static final int GENERALIZED_TIME = 0x18;

  private CertificateTime() {}

  /** The time, truncated to whole seconds, in the form RFC 5280 asks for its year. */
  static Time of(Instant instant) {
    LocalDateTime t =
        LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC);
    int year = t.getYear();
    if (year < 0 || year > 9999) {
      throw new IllegalArgumentException(
          "a certificate time must lie in the years 0 to 9999: " + instant);
    }
    boolean utc = year >= 1950 && year <= 2049;
    byte[] der = new byte[utc ? 15 : 17];
    der[0] = (byte) (utc ? UTC_TIME : GENERALIZED_TIME);
    der[1] = (byte) (der.length - 2);
    int at = 2;
    if (!utc) {
      at = two(der, at, year / 100);
    }
    at = two(der, at, year % 100);
    at = two(der, at, t.getMonthValue());
    at = two(der, at, t.getDayOfMonth());
    at = two(der, at, t.getHour());
    at = two(der, at, t.getMinute());
    at = two(der, at, t.getSecond());
    der[at] = 'Z';
    // From the encoding: the String constructors check the text by parsing it with a new
    // SimpleDateFormat, the cost this class is here to avoid.
    try {
      return new Time(ASN1Primitive.fromByteArray(der));
    } catch (IOException e) {
      throw new IllegalStateException("a certificate time did not parse: " + instant, e);
    }
  }

  /**
   * The instant a time says. The two forms RFC 5280 allows are read directly; anything else a
   * parsed certificate may carry (fractions, offsets) is left to Bouncy Castle.
   */
  static Instant instant(Time time) {
    byte[] der;
    try {
      der = time.toASN1Primitive().getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory ASN.1 encoding failed", e);
    }
    int tag = der[0];
    int length = der[1];
    if (tag == UTC_TIME && length == 13 && der[14] == 'Z' && digits(der, 2, 12)) {
      int yy = number(der, 2);
      return at(yy < 50 ? 2000 + yy : 1900 + yy, der, 4);
    }
    if (tag == GENERALIZED_TIME && length == 15 && der[16] == 'Z' && digits(der, 2, 14)) {
      return at(number(der, 2) * 100 + number(der, 4), der, 6);
    }
    return time.getDate().toInstant();
  }

  private static Instant at(int year, byte[] der, int from) {
    return LocalDateTime.of(
            year,
            number(der, from),
            number(der, from + 2),
            number(der, from + 4),
            number(der, from + 6),
            number(der, from + 8))
        .toInstant(ZoneOffset.UTC);
  }

  private static boolean digits(byte[] der, int from, int count) {
    for (int i = from; i < from + count; i++) {
      if (der[i] < '0' || der[i] > '9') {
        return false;
      }
    }
    return true;
  }

  private static int number(byte[] der, int at) {
    return (der[at] - '0') * 10 + (der[at + 1] - '0');
  }

  private static int two(byte[] der, int at, int n) {
    der[at] = (byte) ('0' + n / 10);
    der[at + 1] = (byte) ('0' + n % 10);
    return at + 2;
  }
}
