package dev.estuary.agent.renewal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One renewal setting as the configuration writes it: a share of a certificate's lifetime ({@code
 * "80%"}) or a fixed span of time ({@code "30min"}, {@code "2day"}).
 *
 * <p>The accepted forms are those of the Azure IoT identity service, so a {@code config.toml}
 * written for it reads the same here: a whole number followed by {@code %} (strictly between 0 and
 * 100), {@code min} or {@code day} (at least 1). No fractions, spaces, signs or other units.
 */
public sealed interface LifetimeSpan {

  /** The accepted forms, for error messages. */
  String ACCEPTED_FORMS =
      "N% (a whole number, 0 < N < 100), Nmin or Nday (a whole number, at least 1),"
          + " e.g. \"80%\", \"30min\", \"2day\"";

  /**
   * The part of {@code lifetime} this span stands for.
   *
   * @param lifetime a certificate's not-after minus its not-before
   */
  Duration of(Duration lifetime);

  /**
   * Parses {@code "N%"}, {@code "Nmin"} or {@code "Nday"}.
   *
   * @throws IllegalArgumentException naming the value and the accepted forms
   */
  static LifetimeSpan parse(String text) {
    if (text == null) {
      throw invalid(null, "no value");
    }
    // Parsed once per configuration load: compiling here keeps the interface free of helpers.
    Matcher m = Pattern.compile("([0-9]+)(%|min|day)").matcher(text);
    if (!m.matches()) {
      String problem =
          text.matches("[0-9]*[.,][0-9]+(%|min|day)")
              ? "fractions are not accepted"
              : text.matches("[0-9]+") ? "the unit is missing" : "unknown form";
      throw invalid(text, problem);
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw invalid(text, "the number is too large");
    }
    String unit = m.group(2);
    if (n < 1) {
      throw invalid(text, "the number must be at least 1");
    }
    try {
      return switch (unit) {
        case "%" -> {
          if (n >= 100) {
            throw invalid(text, "a percentage must be below 100");
          }
          yield new Percent((int) n);
        }
        case "min" -> new Fixed(Duration.ofMinutes(n));
        default -> new Fixed(Duration.ofDays(n));
      };
    } catch (ArithmeticException e) {
      throw invalid(text, "the number is too large");
    }
  }

  private static IllegalArgumentException invalid(String text, String problem) {
    String shown = text == null ? "(nothing)" : "\"" + text + "\"";
    return new IllegalArgumentException(
        shown + " is not a renewal setting (" + problem + "); expected " + ACCEPTED_FORMS);
  }

  /**
   * A share of the certificate's lifetime.
   *
   * @param percent strictly between 0 and 100
   */
  record Percent(int percent) implements LifetimeSpan {
    public Percent {
      if (percent <= 0 || percent >= 100) {
        throw new IllegalArgumentException("a percentage must be between 1 and 99, was " + percent);
      }
    }

    @Override
    public Duration of(Duration lifetime) {
      return lifetime.multipliedBy(percent).dividedBy(100);
    }

    @Override
    public String toString() {
      return percent + "%";
    }
  }

  /**
   * A fixed span, whatever the certificate's lifetime.
   *
   * @param duration positive
   */
  record Fixed(Duration duration) implements LifetimeSpan {
    public Fixed {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("a fixed span must be positive, was " + duration);
      }
    }

    @Override
    public Duration of(Duration lifetime) {
      return duration;
    }

    /**
     * The configuration form: whole days when exact, else whole minutes; a span built in code that
     * is neither shows as an ISO-8601 duration.
     */
    @Override
    public String toString() {
      long seconds = duration.getSeconds();
      if (duration.getNano() != 0 || seconds % 60 != 0) {
        return duration.toString();
      }
      return seconds % 86_400 == 0 ? seconds / 86_400 + "day" : seconds / 60 + "min";
    }
  }
}
