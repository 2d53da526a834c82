package dev.estuary.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every folder under {@code config-cases/}: one case each.
 *
 * <ul>
 *   <li>{@code config.toml}: the input; {@code ${CASE_DIR}} stands for the folder the case is
 *       copied to.
 *   <li>{@code setup.txt}: the files the configuration refers to, made in that folder, one command
 *       a line: {@code file PATH MODE} (an empty-looking PEM file with that octal mode), {@code
 *       dir PATH}, {@code chmod MODE PATH}; {@code #} starts a comment.
 *   <li>{@code expected.txt}: exactly the problem lines, in order ({@code warning: } for
 *       warnings); empty for a file without problems. A case is valid when no line is an error.
 *   <li>{@code effective.toml} (valid cases, optional): the report {@link EffectiveConfig} writes.
 * </ul>
 */
class ConfigCasesTest {
  private static final String CASE_DIR = "${CASE_DIR}";

  @TempDir Path work;

  static Stream<String> cases() throws IOException, URISyntaxException {
    try (Stream<Path> dirs = Files.list(casesRoot())) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsExactlyTheExpectedProblems(String name) throws Exception {
    Path source = casesRoot().resolve(name);
    Path dir = work.resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.toml"), read(source.resolve("config.toml"), dir));
    setUp(source.resolve("setup.txt"), dir);

    ConfigParseResult result = AgentConfigParser.parse(dir.resolve("config.toml"));

    List<String> expected = read(source.resolve("expected.txt"), dir).lines().filter(l -> !l.isBlank()).toList();
    assertThat(result.problems()).map(ConfigProblem::toString).containsExactlyElementsOf(expected);
    assertThat(result.isValid()).isEqualTo(expected.stream().allMatch(l -> l.startsWith("warning: ")));
    if (result.isValid()) {
      AgentConfig config = result.config().orElseThrow();
      Path effective = source.resolve("effective.toml");
      if (Files.exists(effective)) {
        assertThat(EffectiveConfig.render(config)).isEqualTo(read(effective, dir));
      }
      Path written = EffectiveConfig.write(config.withStateDir(dir.resolve("state-written")));
      assertThat(written).hasContent(EffectiveConfig.render(config.withStateDir(dir.resolve("state-written"))));
    }
  }

  private static Path casesRoot() throws URISyntaxException {
    URL url = ConfigCasesTest.class.getResource("/config-cases");
    assertThat(url).as("config-cases on the test class path").isNotNull();
    return Path.of(url.toURI());
  }

  private static String read(Path file, Path caseDir) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8).replace(CASE_DIR, caseDir.toString());
  }

  private static void setUp(Path setup, Path dir) throws IOException {
    if (!Files.exists(setup)) {
      return;
    }
    for (String line : Files.readAllLines(setup, StandardCharsets.UTF_8)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] w = l.split("\\s+");
      switch (w[0]) {
        case "file" -> {
          Path f = dir.resolve(w[1]);
          Files.createDirectories(f.getParent());
          Files.writeString(f, "-----BEGIN PLACEHOLDER-----\nconfig test file\n-----END PLACEHOLDER-----\n");
          Files.setPosixFilePermissions(f, mode(w[2]));
        }
        case "dir" -> Files.createDirectories(dir.resolve(w[1]));
        case "chmod" -> Files.setPosixFilePermissions(dir.resolve(w[2]), mode(w[1]));
        default -> throw new IllegalArgumentException(setup + ": unknown setup command '" + w[0] + "'");
      }
    }
  }

  /** "640" → rw-r-----. */
  private static Set<PosixFilePermission> mode(String octal) {
    int m = Integer.parseInt(octal, 8);
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : PosixFilePermission.values()) {
      if ((m & (1 << (8 - p.ordinal()))) != 0) {
        perms.add(p);
      }
    }
    return perms;
  }
}
