package dev.estuary.server.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every module's Java code names classes by import, not inline by their fully qualified name; the
 * one exception is a file where two classes of the same simple name meet (one is imported, the
 * other written in full). Comments and string literals are not code.
 */
class SourceStyleTest {
  /** The reactor's root: tests run in the server module's directory. */
  private static final Path ROOT = Path.of("..");

  private static final Pattern INLINE =
      Pattern.compile(
          "(?<![\\w.])((?:java|javax|jdk|org|com|dev|io|picocli)(?:\\.[a-z_][a-z0-9_]*)+)"
              + "\\.([A-Z][A-Za-z0-9_]*)");
  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+([\\w.]+)\\.([A-Z]\\w*)\\s*;", Pattern.MULTILINE);
  private static final Pattern COMMENT_OR_STRING =
      Pattern.compile(
          "//[^\\n]*|/\\*.*?\\*/|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\])+'",
          Pattern.DOTALL);
  private static final Pattern HEADER =
      Pattern.compile("^(?:package|import)\\s[^;]*;", Pattern.MULTILINE);

  @Test
  void noFullyQualifiedClassNamesInline() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      files
          .filter(f -> f.toString().endsWith(".java"))
          .filter(f -> f.toString().contains("/src/"))
          .filter(f -> !f.toString().contains("/target/"))
          .forEach(f -> found.addAll(inlineNames(f)));
    }
    assertThat(found).as("fully qualified class names written inline (import them)").isEmpty();
  }

  @Test
  void theCheckSeesAnInlineNameAndAllowsAClash() {
    String inline = "package a;\nimport java.util.List;\nclass A { java.time.Duration d; }\n";
    String clash =
        "package a;\nimport org.bouncycastle.math.ec.ECPoint;\n"
            + "class A { Object p = new java.security.spec.ECPoint(null, null); }\n";
    String commented = "package a;\n/** See {@link java.time.Duration}. */\nclass A {}\n";
    assertThat(inlineNames(Path.of("A.java"), inline)).hasSize(1);
    assertThat(inlineNames(Path.of("A.java"), clash)).isEmpty();
    assertThat(inlineNames(Path.of("A.java"), commented)).isEmpty();
  }

  private static List<String> inlineNames(Path file) {
    try {
      return inlineNames(file, Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> inlineNames(Path file, String source) {
    Map<String, String> imported = new HashMap<>();
    Matcher im = IMPORT.matcher(source);
    while (im.find()) {
      imported.put(im.group(2), im.group(1) + "." + im.group(2));
    }
    String code = HEADER.matcher(COMMENT_OR_STRING.matcher(source).replaceAll(" ")).replaceAll(" ");
    List<String> found = new ArrayList<>();
    Matcher m = INLINE.matcher(code);
    while (m.find()) {
      String full = m.group(1) + "." + m.group(2);
      String other = imported.get(m.group(2));
      if (other == null || other.equals(full)) {
        found.add(file.normalize() + ": " + full);
      }
    }
    return found;
  }
}
