package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.config.ConfigCase;
import dev.estuary.cli.EstuaryJar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 3, point 4, through the command: {@code estuary agent config apply} (the jar) on broken
 * configurations from the agent's fixture folders ({@link ConfigCase}: config.toml, setup.txt,
 * expected.txt) prints exactly the expected problem lines, in order, on standard error, exits 2,
 * and writes nothing to the state directory.
 */
class ConfigApplyIT {
  @TempDir Path work;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "many-mistakes",
        "world-readable-key",
        "threshold-over-hundred",
        "unknown-key",
        "toml-syntax-error",
        "misspelt-section",
        "garbage-key",
        "key-not-matching"
      })
  void configApplyReportsEveryMistakeAtOnceAndWritesNothing(String name) throws Exception {
    ConfigCase c = ConfigCase.make(name, work.resolve(name));
    Path state = c.dir().resolve("state");

    EstuaryJar.Result r =
        EstuaryJar.run(
            c.dir(),
            "agent",
            "config",
            "apply",
            "-c",
            c.config().toString(),
            "--state-dir",
            state.toString());

    assertThat(r.code()).as(r.describe()).isEqualTo(2);
    List<String> printed = r.err().lines().toList();
    // The parser's problems, then (for a configuration that parses) what reading the key and
    // certificate files found.
    List<String> expected = new ArrayList<>(c.expected());
    c.optional("expected-contents.txt")
        .ifPresent(t -> t.lines().filter(l -> !l.isBlank()).forEach(expected::add));
    assertThat(expected).isNotEmpty();
    assertThat(printed.subList(0, printed.size() - 1)).containsExactlyElementsOf(expected);
    assertThat(printed.getLast()).endsWith("error(s); nothing done");
    assertThat(state).doesNotExist();
  }
}
