package dev.estuary.agent.config;

import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * One TOML table seen from the parser: typed reads that report a wrong type at the key's path, and
 * the check for unknown keys. Keys are always taken literally (a key may contain dots).
 */
final class Section {
  static final String NOT_USED = "not used by estuary agent";
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  private final TomlTable table;
  private final String path;
  private final Problems problems;

  /**
   * A table the agent reads, written under a near-miss name ({@code [provisoning]}): reported as an
   * unknown key, and read under the name written, so that the mistakes inside it are reported too.
   */
  private final Map<String, String> misspelt = new HashMap<>();

  Section(TomlTable table, String path, Problems problems) {
    this.table = table;
    this.path = path;
    this.problems = problems;
  }

  /** The dotted path of this table, {@code ""} for the document. */
  String path() {
    return path;
  }

  Problems problems() {
    return problems;
  }

  /** The path of a key of this table, quoting it when it is not a bare TOML key. */
  String keyPath(String key) {
    String k =
        BARE_KEY.matcher(key).matches()
            ? key
            : '"' + key.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    return path.isEmpty() ? k : path + "." + k;
  }

  boolean has(String key) {
    return table.contains(List.of(written(key)));
  }

  /** The value at {@code key} as tomlj gives it, or null. */
  Object raw(String key) {
    return table.get(List.of(written(key)));
  }

  /** The key as the file writes it: {@code key}, or the misspelt name of its table. */
  private String written(String key) {
    return misspelt.getOrDefault(key, key);
  }

  /** The keys in file order. */
  Set<String> keys() {
    return table.keySet();
  }

  boolean isEmpty() {
    return table.isEmpty();
  }

  void error(String key, String message) {
    problems.error(keyPath(key), message);
  }

  void warning(String key, String message) {
    problems.warning(keyPath(key), message);
  }

  /** The string at {@code key}; empty when absent or of another type (reported). */
  Optional<String> string(String key) {
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
  Optional<String> requiredString(String key, String hint) {
    if (!has(key)) {
      error(key, "missing; " + hint);
      return Optional.empty();
    }
    return nonEmptyString(key);
  }

  /** Like {@link #string} but reports an empty string. */
  Optional<String> nonEmptyString(String key) {
    Optional<String> s = string(key);
    if (s.isPresent() && s.get().isBlank()) {
      error(key, "is empty");
      return Optional.empty();
    }
    return s;
  }

  /** The boolean at {@code key}; empty when absent or of another type (reported). */
  Optional<Boolean> bool(String key) {
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

  /** The table at {@code key}; empty when absent or of another type (reported). */
  Optional<Section> table(String key) {
    String as = written(key);
    Object v = table.get(List.of(as));
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof TomlTable t) {
      return Optional.of(new Section(t, keyPath(as), problems));
    }
    error(as, "must be a table, not " + typeName(v));
    return Optional.empty();
  }

  /**
   * The array of strings at {@code key}, each element with its path ({@code key[0]}); empty when
   * absent or not an array (reported). Elements of another type are reported and left out.
   */
  Optional<List<Element>> strings(String key) {
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

  /** One string of an array, with its path. */
  record Element(String path, String value) {}

  /**
   * Reports every key that is neither {@code used} nor {@code ignored}: an error {@code unknown
   * key} (with a suggestion when a known key is one or two edits away); an {@code ignored} key is a
   * warning {@code not used by estuary agent}.
   */
  void checkKeys(Set<String> used, Set<String> ignored) {
    for (String key : keys()) {
      if (used.contains(key)) {
        continue;
      }
      if (ignored.contains(key)) {
        warning(key, NOT_USED);
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
      } else {
        error(key, "unknown key" + meant.map(m -> "; did you mean '" + m + "'?").orElse(""));
      }
    }
  }

  private static Optional<String> closest(String key, List<String> known) {
    record Candidate(String name, int distance) {}
    List<Candidate> close =
        known.stream()
            .map(k -> new Candidate(k, distance(key.toLowerCase(), k)))
            .filter(c -> c.distance() <= Math.min(2, Math.max(1, c.name().length() / 4)))
            .sorted(Comparator.comparingInt(Candidate::distance).thenComparing(Candidate::name))
            .toList();
    return close.isEmpty() ? Optional.empty() : Optional.of(close.get(0).name());
  }

  /** Levenshtein distance, with '-' and '_' counted as the same character. */
  static int distance(String a, String b) {
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

  /** "a string", "an integer", … for messages. */
  static String typeName(Object v) {
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
