package dev.estuary.agent.config;

import dev.estuary.config.ConfigProblem;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link AgentConfigParser#parse} found: the configuration when it has no error, and every
 * problem (errors and warnings) in the order they were found.
 *
 * @param config present exactly when {@code problems} holds no error
 * @param problems all errors and warnings, each with its key path
 */
public record ConfigParseResult(Optional<AgentConfig> config, List<ConfigProblem> problems) {

  public ConfigParseResult {
    Objects.requireNonNull(config, "config");
    problems = List.copyOf(problems);
    boolean hasErrors = problems.stream().anyMatch(ConfigProblem::isError);
    if (config.isPresent() == hasErrors) {
      throw new IllegalArgumentException(
          "a configuration is present exactly when there is no error");
    }
  }

  /** True when the file can be used (warnings allowed). */
  public boolean isValid() {
    return config.isPresent();
  }

  /** The errors only. */
  public List<ConfigProblem> errors() {
    return problems.stream().filter(ConfigProblem::isError).toList();
  }

  /** The warnings only. */
  public List<ConfigProblem> warnings() {
    return problems.stream().filter(p -> !p.isError()).toList();
  }
}
