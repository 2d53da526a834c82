package dev.estuary.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.estuary.agent.config.AgentConfigParser;
import dev.estuary.agent.config.ConfigParseResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target (issue 10): config.toml loading, as {@code estuary agent config apply} and the daemon
 * read it. The parser never throws: a configuration, or the problems that name what is wrong;
 * anything else is a finding. Inputs: {@code AgentConfigFuzzTestInputs/configToml/} (the fixture
 * cases' files among them).
 */
class AgentConfigFuzzTest {
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("estuary-agent-config-fuzz");
      DIR.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void configToml(byte[] toml) throws IOException {
    Path file = DIR.resolve("config.toml");
    Files.write(file, toml);
    try {
      ConfigParseResult result = AgentConfigParser.parse(file);
      assertThat(result.config().isPresent() || !result.problems().isEmpty()).isTrue();
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
