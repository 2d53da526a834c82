package dev.estuary.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs every folder under {@code config-cases/} (see {@link ServerConfigCase}): one case each. */
class ServerConfigCasesTest {
  @TempDir Path work;

  static List<String> cases() throws IOException {
    return ServerConfigCase.names();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsExactlyTheExpectedProblems(String name) throws Exception {
    ServerConfigCase c = ServerConfigCase.make(name, work.resolve(name));
    List<String> expected = c.expected();

    if (expected.isEmpty()) {
      assertThatCode(() -> ServerConfigParser.parse(c.config())).doesNotThrowAnyException();
      return;
    }
    try {
      ServerConfigParser.parse(c.config());
    } catch (ConfigException e) {
      assertThat(e.problems()).containsExactlyElementsOf(expected);
      return;
    }
    throw new AssertionError(name + ": the configuration was accepted; expected " + expected);
  }
}
