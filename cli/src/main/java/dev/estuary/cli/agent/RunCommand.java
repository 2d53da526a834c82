package dev.estuary.cli.agent;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.EffectiveConfig;
import dev.estuary.agent.daemon.Agent;
import dev.estuary.agent.daemon.AgentDaemon;
import dev.estuary.agent.daemon.AgentLock;
import dev.estuary.agent.renewal.CredentialStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code estuary agent run}: the daemon, or one pass with {@code --once}. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Obtains and renews the configured credentials (and registers the device) until stopped.",
      "With --once: one pass over what is due; exit status 0 only when every credential is",
      "present and valid and, with DPS provisioning, the device is assigned with its current",
      "device identity; 1 otherwise, 2 for a bad configuration, 3 if another agent holds the",
      "state directory."
    })
public final class RunCommand implements Callable<Integer> {
  @Mixin AgentOptions options;

  @Option(names = "--once", description = "One pass, then exit.")
  boolean once;

  @Override
  public Integer call() throws Exception {
    Optional<AgentOptions.Prepared> prepared = options.prepare(System.err, "run");
    if (prepared.isEmpty()) {
      return 2;
    }
    AgentConfig config = prepared.get().config();
    Path stateDir = prepared.get().stateDir();
    Optional<AgentLock> lock = prepared.get().lock();
    if (lock.isEmpty()) {
      System.err.println(
          "estuary agent run: another estuary agent"
              + AgentLock.holder(stateDir).map(pid -> " (pid " + pid + ")").orElse("")
              + " is running with the state directory "
              + stateDir);
      return 3;
    }
    try (AgentLock held = lock.get();
        Agent agent = Agent.open(config, Clock.systemUTC())) {
      EffectiveConfig.write(config);
      AgentDaemon daemon = AgentDaemon.of(agent);
      if (once) {
        daemon.step();
        Instant now = Instant.now();
        List<CredentialStatus> statuses = agent.engine().status();
        StatusView.print(System.out, agent.config().agent().stateDir(), now);
        boolean valid = statuses.stream().allMatch(s -> s.validAt(now));
        return valid && agent.registered() ? 0 : 1;
      }
      CountDownLatch finished = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                daemon.stop();
                try {
                  finished.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "estuary-agent-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        daemon.run();
      } finally {
        finished.countDown();
      }
      return 0;
    }
  }
}
