package dev.estuary.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.estuary.server.config.ConfigException;
import dev.estuary.server.config.ServerConfigParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target (issue 10): server.toml loading. Anything but a configuration or a {@link
 * ConfigException} naming the problems is a finding. Inputs: {@code
 * ServerConfigFuzzTestInputs/serverToml/}.
 */
class ServerConfigFuzzTest {
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("estuary-config-fuzz");
      DIR.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void serverToml(byte[] toml) throws IOException {
    Path file = DIR.resolve("server.toml");
    Files.write(file, toml);
    try {
      assertThat(ServerConfigParser.parse(file).labels()).isNotEmpty();
    } catch (ConfigException e) {
      assertThat(e.problems()).isNotEmpty();
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
