package dev.estuary.agent.config;

import dev.estuary.config.Section;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an {@code auto_renew} / {@code identity_auto_renew} table. The accepted forms are the Azure
 * identity service's: a whole number followed by {@code %} (0 &lt; N &lt; 100), {@code min} or
 * {@code day} (N &ge; 1), nothing else; a mistake is explained, with the likely intended form.
 */
final class RenewalTable {
  static final Set<String> KEYS = Set.of("rotate_key", "threshold", "retry");
  private static final Pattern VALID = Pattern.compile("([0-9]+)(%|min|day)");
  private static final Pattern NUMBER_AND_UNIT =
      Pattern.compile("(-?)([0-9]*[.,]?[0-9]+)(\\s*)([A-Za-z%]*)");
  private static final long MAX_DAYS = 36_500;
  private static final String FORMS = "use N% (of the lifetime), Nmin or Nday";

  private RenewalTable() {}

  /**
   * The settings of {@code table}, defaults for what it leaves out; {@link RenewalSettings#DEFAULT}
   * when absent.
   */
  static RenewalSettings read(Optional<Section> table) {
    if (table.isEmpty()) {
      return RenewalSettings.DEFAULT;
    }
    Section s = table.get();
    s.checkKeys(KEYS, Set.of());
    RenewalSettings d = RenewalSettings.DEFAULT;
    String threshold = value(s, "threshold").orElse(d.threshold());
    String retry = value(s, "retry").orElse(d.retry());
    boolean rotate = s.bool("rotate_key").orElse(d.rotateKey());
    return new RenewalSettings(threshold, retry, rotate);
  }

  private static Optional<String> value(Section s, String key) {
    Object raw = s.raw(key);
    if (raw == null) {
      return Optional.empty();
    }
    if (!(raw instanceof String text)) {
      s.error(
          key,
          "must be a string such as \""
              + (key.equals("retry") ? "4%" : "80%")
              + "\", not "
              + Section.typeName(raw));
      return Optional.empty();
    }
    Optional<String> problem = problem(text);
    problem.ifPresent(p -> s.error(key, p));
    return problem.isEmpty() ? Optional.of(text) : Optional.empty();
  }

  /** What is wrong with a threshold or retry value, or empty when it is valid. */
  static Optional<String> problem(String text) {
    String q = "'" + text + "'";
    if (text.isBlank()) {
      return Optional.of("is empty; " + FORMS + ", e.g. \"80%\"");
    }
    Matcher valid = VALID.matcher(text);
    if (valid.matches()) {
      return range(q, valid.group(1), valid.group(2), false);
    }
    Matcher m = NUMBER_AND_UNIT.matcher(text.strip());
    if (!m.matches()) {
      return Optional.of(
          q
              + " is not a whole number followed by %, min or day, e.g. \"80%\", \"30min\", \"2day\"");
    }
    boolean negative = !m.group(1).isEmpty();
    String number = m.group(2);
    String unit = m.group(4);
    if (unit.isEmpty()) {
      return Optional.of(
          q + " has no unit; write '" + number + "%', '" + number + "min' or '" + number + "day'");
    }
    String known = canonicalUnit(unit);
    if (known == null) {
      return Optional.of(q + " has an unknown unit '" + unit + "'; " + FORMS + hint(number, unit));
    }
    if (number.contains(".") || number.contains(",")) {
      return Optional.of(q + " must be a whole number followed by %, min or day");
    }
    if (negative) {
      return range(q, "-" + number, known, true);
    }
    if (!m.group(3).isEmpty() || !text.equals(text.strip())) {
      return Optional.of(q + " must not contain spaces; write '" + number + known + "'");
    }
    return Optional.of(q + " has the unit '" + unit + "'; write '" + number + known + "'");
  }

  private static Optional<String> range(String q, String number, String unit, boolean negative) {
    long n;
    try {
      n = Long.parseLong(number);
    } catch (NumberFormatException e) {
      return Optional.of(q + " is too large");
    }
    if (unit.equals("%")) {
      return n <= 0 || n >= 100
          ? Optional.of(q + " must be between 0% and 100% (exclusive)")
          : Optional.empty();
    }
    if (n < 1 || negative) {
      return Optional.of(q + " must be at least 1" + unit);
    }
    long days = unit.equals("day") ? n : n / (24 * 60);
    return days > MAX_DAYS ? Optional.of(q + " is more than 100 years") : Optional.empty();
  }

  /** The accepted unit a near miss stands for ("days" → "day", "mins" → "min"), else null. */
  private static String canonicalUnit(String unit) {
    return switch (unit) {
      case "%", "min", "day" -> unit;
      default -> {
        String u = unit.toLowerCase(Locale.ROOT);
        yield u.equals("day") || u.equals("days")
            ? "day"
            : u.equals("min") || u.equals("mins") ? "min" : null;
      }
    };
  }

  private static String hint(String number, String unit) {
    if (number.contains(".") || number.contains(",")) {
      return "";
    }
    String u = unit.toLowerCase(Locale.ROOT);
    long n;
    try {
      n = Long.parseLong(number);
    } catch (NumberFormatException e) {
      return "";
    }
    return switch (u) {
      case "d" -> " (did you mean '" + n + "day'?)";
      case "m", "minute", "minutes" -> " (did you mean '" + n + "min'?)";
      case "h", "hr", "hrs", "hour", "hours" -> " (did you mean '" + n * 60 + "min'?)";
      case "w", "week", "weeks" -> " (did you mean '" + n * 7 + "day'?)";
      default -> "";
    };
  }
}
