package dev.estuary.cli.agent;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.AgentSettings;
import dev.estuary.agent.config.ConfigParseResult;
import dev.estuary.agent.daemon.AgentLock;
import dev.estuary.agent.state.StateFile;
import dev.estuary.agent.store.TrustAnchors;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code estuary agent status}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "What each credential is, its expiry, next renewal and last error; the provisioning assignment; whether the daemon runs.")
public final class StatusCommand implements Callable<Integer> {
  @Mixin AgentOptions options;

  @Option(names = "--json", description = "Print the state file as it is.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Path dir = StateDirs.resolve(options);
    if (json) {
      System.out.println(StateFile.read(dir).map(s -> s.toJson().toString()).orElse("{}"));
      return 0;
    }
    StatusView.print(System.out, dir, Instant.now());
    StatusView.trust(System.out, dir, configuredRoots(), Instant.now());
    boolean running = AgentLock.isHeld(dir);
    System.out.println(
        "daemon        "
            + (running
                ? "running" + AgentLock.holder(dir).map(pid -> " (pid " + pid + ")").orElse("")
                : "not running"));
    return 0;
  }

  /** The configuration's trusted_certs, or empty when it cannot be read (status always answers). */
  private List<X509Certificate> configuredRoots() {
    try {
      Optional<AgentConfig> config = options.parse().config();
      if (config.isPresent()) {
        return TrustAnchors.load(config.get().est().trustedCerts(), false);
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("estuary agent status: trusted_certs: " + e.getMessage());
    }
    return List.of();
  }

  /**
   * Finds the state directory: --state-dir, else the configuration's, else (no readable valid
   * configuration: status always answers) the default one, saying so in one line.
   */
  static final class StateDirs {
    private StateDirs() {}

    static Path resolve(AgentOptions options) {
      if (options.stateDir != null) {
        return options.stateDir.toAbsolutePath();
      }
      ConfigParseResult parsed = options.parse();
      Optional<AgentConfig> config = parsed.config();
      if (config.isPresent()) {
        return config.get().agent().stateDir();
      }
      Path fallback = Path.of(AgentSettings.DEFAULT_STATE_DIR);
      System.err.println(
          "estuary agent status: "
              + options.config
              + " has "
              + parsed.errors().size()
              + " error(s) (estuary agent config apply lists them); showing the default state directory "
              + fallback);
      return fallback;
    }
  }
}
