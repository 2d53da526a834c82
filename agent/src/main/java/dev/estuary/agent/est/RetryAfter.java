package dev.estuary.agent.est;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** The {@code Retry-After} header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */
public final class RetryAfter {
  /** A server asking for more than a day is capped: the schedule must stay within reach. */
  static final Duration CEILING = Duration.ofDays(1);

  private RetryAfter() {}

  /** The wait the header asks for, measured from {@code now}; empty if absent or unreadable. */
  public static Optional<Duration> parse(Optional<String> header, Instant now) {
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String v = header.get().strip();
    if (v.matches("\\d{1,9}")) {
      return Optional.of(cap(Duration.ofSeconds(Long.parseLong(v))));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : cap(d));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Duration cap(Duration d) {
    return d.compareTo(CEILING) > 0 ? CEILING : d;
  }
}
