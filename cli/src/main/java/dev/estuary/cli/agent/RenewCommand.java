package dev.estuary.cli.agent;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.daemon.Agent;
import dev.estuary.agent.daemon.AgentDaemon;
import dev.estuary.agent.daemon.AgentLock;
import dev.estuary.agent.daemon.RenewRequests;
import dev.estuary.agent.state.AgentState;
import dev.estuary.agent.state.CredentialSchedule;
import dev.estuary.agent.state.StateFile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code estuary agent renew [ID] --now}. */
@Command(
    name = "renew",
    mixinStandardHelpOptions = true,
    description = {
      "Renews a credential now (all of them without ID), whatever its schedule.",
      "It also accepts a certificate file changed by hand, which otherwise suspends automatic renewal.",
      "With a running daemon the request is handed to it; otherwise this command does the work.",
      "Exit status: 0 renewed, 1 failed, 2 bad configuration or id."
    })
public final class RenewCommand implements Callable<Integer> {
  /** How long to wait for a running daemon to act on the request. */
  static final Duration DAEMON_WAIT = Duration.ofSeconds(90);

  @Mixin AgentOptions options;

  @Parameters(
      arity = "0..1",
      paramLabel = "ID",
      description = "est-id, device-id or aziot-edged-ca.")
  String id;

  @Option(
      names = "--now",
      required = true,
      description = "Renew now (required: renewal is otherwise automatic).")
  boolean now;

  @Override
  public Integer call() throws Exception {
    Optional<AgentOptions.Prepared> prepared = options.prepare(System.err, "renew");
    if (prepared.isEmpty()) {
      return 2;
    }
    AgentConfig config = prepared.get().config();
    Path stateDir = prepared.get().stateDir();
    Optional<AgentLock> lock = prepared.get().lock();
    if (lock.isEmpty()) {
      return viaDaemon(stateDir);
    }
    try (AgentLock held = lock.get();
        Agent agent = Agent.open(config, Clock.systemUTC())) {
      List<String> ids = id == null ? agent.ids() : List.of(id);
      for (String one : ids) {
        try {
          agent.renewNow(one);
        } catch (IllegalArgumentException e) {
          System.err.println("estuary agent renew: " + e.getMessage());
          return 2;
        }
      }
      AgentDaemon.of(agent).step();
      Instant at = Instant.now();
      StatusView.print(System.out, stateDir, at);
      return renewedSince(StateFile.read(stateDir).orElseThrow(), ids, Instant.EPOCH) ? 0 : 1;
    }
  }

  private int viaDaemon(Path stateDir) throws Exception {
    AgentState before = StateFile.read(stateDir).orElseThrow();
    List<String> ids = new ArrayList<>(before.credentialIds());
    List<String> wanted = id == null ? ids : List.of(id);
    if (!ids.containsAll(wanted)) {
      System.err.println(
          "estuary agent renew: no credential '"
              + id
              + "' (known: "
              + String.join(", ", ids)
              + ")");
      return 2;
    }
    Instant asked = Instant.now();
    for (String one : wanted) {
      RenewRequests.submit(stateDir, one);
    }
    System.out.println(
        "asked the running agent to renew " + String.join(", ", wanted) + "; waiting for it…");
    Instant deadline = asked.plus(DAEMON_WAIT);
    while (Instant.now().isBefore(deadline)) {
      Thread.sleep(250);
      AgentState state = StateFile.read(stateDir).orElse(before);
      if (attemptedSince(state, wanted, asked)) {
        StatusView.print(System.out, stateDir, Instant.now());
        return renewedSince(state, wanted, asked) ? 0 : 1;
      }
    }
    System.err.println(
        "estuary agent renew: the running agent did not act within "
            + DAEMON_WAIT.toSeconds()
            + " s");
    return 1;
  }

  private static boolean attemptedSince(AgentState state, List<String> ids, Instant since) {
    return ids.stream()
        .allMatch(
            i ->
                state
                    .schedule(i)
                    .flatMap(CredentialSchedule::lastAttempt)
                    .map(t -> !t.isBefore(since))
                    .orElse(false));
  }

  private static boolean renewedSince(AgentState state, List<String> ids, Instant since) {
    return attemptedSince(state, ids, since)
        && ids.stream()
            .allMatch(i -> state.schedule(i).map(CredentialSchedule::renewed).orElse(false));
  }
}
