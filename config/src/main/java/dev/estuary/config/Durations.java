package dev.estuary.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in configuration: {@code 90s}, {@code 15m} or {@code 15min}, {@code 12h}, {@code 7d} or
 * {@code 7day}.
 */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(s|m|min|h|d|day|days)");

  private Durations() {}

  public static Duration parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write a whole number and a unit: 90s, 15m, 12h, 7d");
    }
    Duration d;
    try {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration", e);
    }
    if (d.isZero()) {
      throw new IllegalArgumentException("'" + text + "' must be longer than zero");
    }
    return d;
  }

  /** The shortest exact form: 7d, 12h, 15m or 90s. */
  public static String format(Duration d) {
    long s = d.getSeconds();
    if (s == 0) {
      return "0s";
    }
    if (s % 86400 == 0) {
      return s / 86400 + "d";
    }
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
