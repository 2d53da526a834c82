package dev.estuary.cli.agent;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.AgentConfigParser;
import dev.estuary.agent.config.ConfigParseResult;
import dev.estuary.agent.daemon.Agent;
import dev.estuary.agent.daemon.AgentLock;
import dev.estuary.config.ConfigProblem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options every {@code estuary agent} command shares: the configuration file and the state
 * directory.
 */
public final class AgentOptions {
  /** Where the Azure IoT Edge configuration lives on a device. */
  static final String DEFAULT_CONFIG = "/etc/aziot/config.toml";

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = DEFAULT_CONFIG,
      description = "The aziot config.toml (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Where keys, certificates and state live (default: [estuary] state_dir, else /var/lib/estuary).")
  Path stateDir;

  /** Parses the configuration, with {@code --state-dir} applied. */
  ConfigParseResult parse() {
    ConfigParseResult result = AgentConfigParser.parse(config);
    if (stateDir != null && result.config().isPresent()) {
      return new ConfigParseResult(
          Optional.of(result.config().get().withStateDir(stateDir.toAbsolutePath())),
          result.problems());
    }
    return result;
  }

  /**
   * A loaded configuration, its state directory (created when missing), and the agent lock on it
   * when no other agent holds it.
   */
  record Prepared(AgentConfig config, Path stateDir, Optional<AgentLock> lock) {}

  /**
   * {@link #load}, then the state directory and the lock; empty when the configuration has errors.
   */
  Optional<Prepared> prepare(PrintStream err, String command) throws IOException {
    Optional<AgentConfig> config = load(err, command);
    if (config.isEmpty()) {
      return Optional.empty();
    }
    Path dir = Agent.stateDirectory(config.get());
    return Optional.of(new Prepared(config.get(), dir, AgentLock.tryAcquire(dir)));
  }

  /**
   * The configuration, or empty after printing every problem to {@code err}; warnings are printed
   * too, either way.
   */
  Optional<AgentConfig> load(PrintStream err, String command) {
    ConfigParseResult result = parse();
    for (ConfigProblem p : result.problems()) {
      err.println(p);
    }
    if (result.config().isEmpty()) {
      err.println(
          "estuary agent "
              + command
              + ": "
              + config
              + " has "
              + result.errors().size()
              + " error(s); nothing done");
    }
    return result.config();
  }
}
