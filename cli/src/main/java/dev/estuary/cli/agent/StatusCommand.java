package dev.estuary.cli.agent;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.daemon.AgentLock;
import dev.estuary.agent.daemon.StateFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code estuary agent status}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "What each credential is, its expiry, next renewal and last error; the provisioning assignment; whether the daemon runs.")
public final class StatusCommand implements Callable<Integer> {
  @Mixin AgentOptions options;

  @Option(names = "--json", description = "Print the state file as it is.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Optional<Path> stateDir = StateDirs.resolve(options);
    if (stateDir.isEmpty()) {
      return 2;
    }
    Path dir = stateDir.get();
    if (json) {
      System.out.println(StateFile.read(dir).map(Object::toString).orElse("{}"));
      return 0;
    }
    StatusView.print(System.out, dir, Instant.now());
    boolean running = AgentLock.isHeld(dir);
    System.out.println(
        "daemon        "
            + (running ? "running" + AgentLock.holder(dir).map(pid -> " (pid " + pid + ")").orElse("") : "not running"));
    return 0;
  }

  /** Finds the state directory: --state-dir, else the configuration's. */
  static final class StateDirs {
    private StateDirs() {}

    static Optional<Path> resolve(AgentOptions options) {
      if (options.stateDir != null) {
        return Optional.of(options.stateDir.toAbsolutePath());
      }
      Optional<AgentConfig> config = options.load(System.err, "status");
      return config.map(c -> c.agent().stateDir());
    }
  }
}
