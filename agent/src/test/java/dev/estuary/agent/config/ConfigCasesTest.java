package dev.estuary.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.check.CredentialContents;
import dev.estuary.config.ConfigProblem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs every folder under {@code config-cases/} (see {@link ConfigCase}): one case each. */
class ConfigCasesTest {
  @TempDir Path work;

  static List<String> cases() throws IOException {
    return ConfigCase.names();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsExactlyTheExpectedProblems(String name) throws Exception {
    ConfigCase c = ConfigCase.make(name, work.resolve(name));

    ConfigParseResult result = AgentConfigParser.parse(c.config());

    List<String> expected = c.expected();
    assertThat(result.problems()).map(ConfigProblem::toString).containsExactlyElementsOf(expected);
    assertThat(result.isValid())
        .isEqualTo(expected.stream().allMatch(l -> l.startsWith("warning: ")));
    if (result.isValid()) {
      AgentConfig config = result.config().orElseThrow();
      Optional<String> effective = c.optional("effective.toml");
      effective.ifPresent(e -> assertThat(EffectiveConfig.render(config)).isEqualTo(e));
      // What config apply adds from reading the certificate and key files, where the case says.
      Optional<String> contents = c.optional("expected-contents.txt");
      if (contents.isPresent()) {
        assertThat(CredentialContents.problems(config))
            .containsExactlyElementsOf(contents.get().lines().filter(l -> !l.isBlank()).toList());
      }
      Path written = EffectiveConfig.write(config.withStateDir(c.dir().resolve("state-written")));
      assertThat(written)
          .hasContent(
              EffectiveConfig.render(config.withStateDir(c.dir().resolve("state-written"))));
    }
  }
}
