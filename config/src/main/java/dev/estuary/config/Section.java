package dev.estuary.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * One TOML table seen from a parser: typed reads that report a wrong type or value at the key's
 * full path, and the check for unknown keys (with the known key one or two edits away). Keys are
 * always taken literally (a key may contain dots). Every read reports into the one {@link Problems}
 * of the parse and returns empty on a problem, so a parser goes on and reports everything at once.
 */
public final class Section {
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");
  private static final TomlTable EMPTY = Toml.parse("");

  private final TomlTable table;
  private final String path;
  private final Problems problems;
  private final Style style;

  /**
   * A table the parser reads, written under a near-miss name ({@code [provisoning]}): reported as
   * an unknown key, and read under the name written, so that the mistakes inside it are reported
   * too.
   */
  private final Map<String, String> misspelt = new HashMap<>();

  /**
   * How unknown keys are reported.
   *
   * @param notUsed the warning for a key the program knows and leaves alone
   * @param listKnown whether an unknown key with no near miss lists the known keys
   */
  private record Style(String notUsed, boolean listKnown) {}

  private Section(TomlTable table, String path, Problems problems, Style style) {
    this.table = table;
    this.path = path;
    this.problems = problems;
    this.style = style;
  }

  /**
   * The document. {@code notUsed} is the warning for a key left alone on purpose ({@code "not used
   * by estuary agent"}); {@code listKnown} makes an unknown key without a near miss list the keys
   * its table may hold.
   */
  public static Section root(
      TomlTable document, Problems problems, String notUsed, boolean listKnown) {
    return new Section(document, "", problems, new Style(notUsed, listKnown));
  }

  /** An empty table at {@code path}, for a section that is absent: every read gives its default. */
  public Section empty(String key) {
    return new Section(EMPTY, keyPath(key), problems, style);
  }

  /** The dotted path of this table, {@code ""} for the document. */
  public String path() {
    return path;
  }

  public Problems problems() {
    return problems;
  }

  /** The path of a key of this table, quoting it when it is not a bare TOML key. */
  public String keyPath(String key) {
    String k =
        BARE_KEY.matcher(key).matches()
            ? key
            : '"' + key.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    return path.isEmpty() ? k : path + "." + k;
  }

  public boolean has(String key) {
    return table.contains(List.of(written(key)));
  }

  /** The value at {@code key} as tomlj gives it, or null. */
  public Object raw(String key) {
    return table.get(List.of(written(key)));
  }

  /** The key as the file writes it: {@code key}, or the misspelt name of its table. */
  private String written(String key) {
    return misspelt.getOrDefault(key, key);
  }

  /** The keys in file order. */
  public Set<String> keys() {
    return table.keySet();
  }

  public boolean isEmpty() {
    return table.isEmpty();
  }

  public void error(String key, String message) {
    problems.error(keyPath(key), message);
  }

  public void warning(String key, String message) {
    problems.warning(keyPath(key), message);
  }

  /** An error about this table as a whole (at its own path). */
  public void error(String message) {
    problems.error(path, message);
  }

  /** The string at {@code key}; empty when absent or of another type (reported). */
  public Optional<String> string(String key) {
    Object v = table.get(List.of(key));
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof String s) {
      return Optional.of(s);
    }
    error(key, "must be a string, not " + typeName(v));
    return Optional.empty();
  }

  /** Like {@link #string} but reports an absent key as {@code missing; <hint>} and an empty one. */
  public Optional<String> requiredString(String key, String hint) {
    if (!has(key)) {
      error(key, "missing; " + hint);
      return Optional.empty();
    }
    return nonEmptyString(key);
  }

  /** Like {@link #string} but reports an empty string. */
  public Optional<String> nonEmptyString(String key) {
    Optional<String> s = string(key);
    if (s.isPresent() && s.get().isBlank()) {
      error(key, "is empty");
      return Optional.empty();
    }
    return s;
  }

  /** The boolean at {@code key}; empty when absent or of another type (reported). */
  public Optional<Boolean> bool(String key) {
    Object v = table.get(List.of(key));
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Boolean b) {
      return Optional.of(b);
    }
    error(key, "must be true or false, not " + typeName(v));
    return Optional.empty();
  }

  /**
   * The integer at {@code key}, from {@code min} to {@code max}; empty when absent, of another type
   * or out of range (reported).
   */
  public OptionalLong integer(String key, long min, long max) {
    Object v = table.get(List.of(key));
    if (v == null) {
      return OptionalLong.empty();
    }
    if (!(v instanceof Long n)) {
      error(key, "must be an integer, not " + typeName(v));
      return OptionalLong.empty();
    }
    if (n < min || n > max) {
      error(key, n + " is outside " + min + ".." + max);
      return OptionalLong.empty();
    }
    return OptionalLong.of(n);
  }

  /**
   * Like {@link #integer(String, long, long)} for an {@code int}, with {@code dflt} when absent.
   */
  public int integer(String key, int dflt, int min, int max) {
    return (int) integer(key, (long) min, (long) max).orElse(dflt);
  }

  /** The duration at {@code key} ({@link Durations}); empty when absent or not one (reported). */
  public Optional<Duration> duration(String key) {
    return duration(key, null);
  }

  /**
   * The duration at {@code key} ({@link Durations}: {@code 90s}, {@code 15m}, {@code 12h}, {@code
   * 7d}), at most {@code max} (null: no limit); empty when absent or not such a duration
   * (reported).
   */
  public Optional<Duration> duration(String key, Duration max) {
    Optional<String> text = string(key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Duration d;
    try {
      d = Durations.parse(text.get());
    } catch (IllegalArgumentException e) {
      error(key, e.getMessage());
      return Optional.empty();
    }
    if (max != null && d.compareTo(max) > 0) {
      error(key, "'" + text.get() + "' is longer than " + Durations.format(max));
      return Optional.empty();
    }
    return Optional.of(d);
  }

  /**
   * The string at {@code key} when it is one of {@code allowed} (exactly as written); empty when
   * absent or another value (reported with the allowed values, in the order given).
   */
  public Optional<String> oneOf(String key, List<String> allowed) {
    Optional<String> s = string(key);
    if (s.isPresent() && !allowed.contains(s.get())) {
      error(key, "'" + s.get() + "' is not one of: " + String.join(", ", allowed));
      return Optional.empty();
    }
    return s;
  }

  /**
   * The URL at {@code key} with one of {@code schemes} and a host; empty when absent or not such a
   * URL (reported).
   */
  public Optional<URI> url(String key, Set<String> schemes) {
    Optional<String> s = string(key);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    String want = String.join(" or ", schemes.stream().sorted().toList());
    URI uri;
    try {
      uri = new URI(s.get());
    } catch (URISyntaxException e) {
      error(key, "'" + s.get() + "' is not a URL: " + e.getReason());
      return Optional.empty();
    }
    if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
      error(key, "'" + s.get() + "' is not an " + want + " URL");
      return Optional.empty();
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      error(key, "'" + s.get() + "' has no valid host name");
      return Optional.empty();
    }
    return Optional.of(uri);
  }

  /**
   * The path at {@code key}, resolved against {@code base} when relative; empty when absent, empty
   * or not a path (reported).
   */
  public Optional<Path> path(String key, Path base) {
    Optional<String> s = nonEmptyString(key);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(base.resolve(s.get()));
    } catch (InvalidPathException e) {
      error(key, "'" + s.get() + "' is not a path: " + e.getReason());
      return Optional.empty();
    }
  }

  /** The table at {@code key}; empty when absent or of another type (reported). */
  public Optional<Section> table(String key) {
    String as = written(key);
    Object v = table.get(List.of(as));
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof TomlTable t) {
      return Optional.of(new Section(t, keyPath(as), problems, style));
    }
    error(as, "must be a table, not " + typeName(v));
    return Optional.empty();
  }

  /**
   * The tables of the array of tables at {@code key} ({@code [[key]]}), each with its path ({@code
   * key[0]}); empty when absent, or when not an array of tables (reported). Elements of another
   * type are reported and left out.
   */
  public List<Section> tables(String key) {
    Object v = table.get(List.of(key));
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof TomlArray array)) {
      error(key, "must be an array of tables ([[" + key + "]]), not " + typeName(v));
      return List.of();
    }
    List<Section> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String elementPath = keyPath(key) + "[" + i + "]";
      Object e = array.get(i);
      if (e instanceof TomlTable t) {
        out.add(new Section(t, elementPath, problems, style));
      } else {
        problems.error(elementPath, "must be a table, not " + typeName(e));
      }
    }
    return out;
  }

  /**
   * The table at {@code key}, or an empty one when absent or of another type (reported), its keys
   * checked against {@code known}: the usual start of reading one section.
   */
  public Section section(String key, Set<String> known) {
    Section s = table(key).orElseGet(() -> empty(key));
    s.checkKeys(known, Set.of());
    return s;
  }

  /**
   * The array of strings at {@code key}, each element with its path ({@code key[0]}); empty when
   * absent or not an array (reported). Elements of another type are reported and left out.
   */
  public Optional<List<Element>> strings(String key) {
    Object v = table.get(List.of(key));
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof TomlArray array)) {
      error(key, "must be an array of strings, not " + typeName(v));
      return Optional.empty();
    }
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String elementPath = keyPath(key) + "[" + i + "]";
      Object e = array.get(i);
      if (e instanceof String s) {
        out.add(new Element(elementPath, s));
      } else {
        problems.error(elementPath, "must be a string, not " + typeName(e));
      }
    }
    return Optional.of(out);
  }

  /** The strings of {@link #strings}, without their paths, or {@code dflt} when absent. */
  public List<String> stringList(String key, List<String> dflt) {
    return strings(key).map(l -> l.stream().map(Element::value).toList()).orElse(dflt);
  }

  /** One string of an array, with its path. */
  public record Element(String path, String value) {}

  /**
   * Reports every key that is neither {@code used} nor {@code ignored}: an error {@code unknown
   * key} (with a suggestion when a known key is one or two edits away, otherwise, in the style that
   * lists them, the known keys); an {@code ignored} key is a warning. A table written under a near
   * miss of a table that is not there is read under the name written (its own mistakes are reported
   * too).
   */
  public void checkKeys(Set<String> used, Set<String> ignored) {
    for (String key : keys()) {
      if (used.contains(key)) {
        continue;
      }
      if (ignored.contains(key)) {
        warning(key, style.notUsed());
        continue;
      }
      Optional<String> meant =
          closest(key, Stream.concat(used.stream(), ignored.stream()).toList());
      if (meant.isPresent()
          && used.contains(meant.get())
          && !table.contains(List.of(meant.get()))
          && table.get(List.of(key)) instanceof TomlTable) {
        misspelt.put(meant.get(), key);
        error(
            key,
            "unknown key; did you mean '"
                + meant.get()
                + "'? (its contents are checked as ["
                + keyPath(meant.get())
                + "])");
      } else if (meant.isPresent()) {
        error(key, "unknown key; did you mean '" + meant.get() + "'?");
      } else if (style.listKnown()) {
        error(
            key, "unknown key (known: " + String.join(", ", used.stream().sorted().toList()) + ")");
      } else {
        error(key, "unknown key");
      }
    }
  }

  private static Optional<String> closest(String key, List<String> known) {
    record Candidate(String name, int distance) {}
    List<Candidate> close =
        known.stream()
            .map(k -> new Candidate(k, distance(key.toLowerCase(Locale.ROOT), k)))
            .filter(c -> c.distance() <= Math.min(2, Math.max(1, c.name().length() / 4)))
            .sorted(Comparator.comparingInt(Candidate::distance).thenComparing(Candidate::name))
            .toList();
    return close.isEmpty() ? Optional.empty() : Optional.of(close.get(0).name());
  }

  /** Levenshtein distance, with '-' and '_' counted as the same character. */
  public static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = same(a.charAt(i - 1), b.charAt(j - 1)) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static boolean same(char x, char y) {
    return x == y || (x == '-' || x == '_') && (y == '-' || y == '_');
  }

  /** "a string", "an integer", … for messages (never the value itself: it may be a secret). */
  public static String typeName(Object v) {
    if (v instanceof String) {
      return "a string";
    } else if (v instanceof Long) {
      return "an integer";
    } else if (v instanceof Double) {
      return "a number";
    } else if (v instanceof Boolean) {
      return "a boolean";
    } else if (v instanceof TomlArray) {
      return "an array";
    } else if (v instanceof TomlTable) {
      return "a table";
    } else if (v instanceof Temporal) {
      return "a date or time";
    }
    return "a " + v.getClass().getSimpleName();
  }
}
