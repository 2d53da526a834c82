package dev.estuary.agent.daemon;

import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.text.Printable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's main loop: step the renewal engine (credential renewals and the registration with the
 * provisioning service, each with its own due time and the engine's one retry policy), save the
 * state, sleep until the engine's next due time — waking every {@link #POLL} to pick up {@code
 * renew --now} requests — until {@link #stop()}. The loop keeps no schedule or backoff of its own.
 *
 * <p>For a caller that keeps its own time (the fleet simulator, {@code run --once}), {@link
 * #step()} and {@link #nextWakeUp()} are the whole loop: call {@code step()} when the clock reaches
 * {@code nextWakeUp()}.
 */
public final class AgentDaemon {
  private static final Logger log = LoggerFactory.getLogger(AgentDaemon.class);

  /** How often the sleeping loop looks for requests. */
  static final Duration POLL = Duration.ofSeconds(1);

  /** The longest sleep when nothing is scheduled (every credential suspended). */
  static final Duration MAX_SLEEP = Duration.ofDays(1);

  private final Agent agent;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private AgentDaemon(Agent agent) {
    this.agent = Objects.requireNonNull(agent, "agent");
  }

  /**
   * The daemon for {@code agent}: its engine renews the credentials and, when the configuration
   * asks for it, registers the device with the provisioning service.
   */
  public static AgentDaemon of(Agent agent) {
    return new AgentDaemon(agent);
  }

  /** Runs until {@link #stop()}. */
  public void run() throws InterruptedException {
    log.info(
        "estuary agent running: credentials {}; state in {}",
        String.join(", ", agent.ids()),
        agent.config().agent().stateDir());
    while (stopped.getCount() > 0) {
      try {
        step();
      } catch (IOException | RuntimeException e) {
        // Local trouble (a full disk, say): one line. The engine has scheduled every attempt it
        // made; the state is saved again at the next step.
        log.error(
            "agent step failed: {}; the state is saved again at the next step",
            Printable.of(describe(e)));
      }
      Instant next = nextWakeUp();
      Instant now = agent.clock().instant();
      while (stopped.getCount() > 0 && now.isBefore(next)) {
        long wait = Math.min(POLL.toMillis(), Duration.between(now, next).toMillis());
        if (stopped.await(Math.max(wait, 1), TimeUnit.MILLISECONDS)) {
          break;
        }
        if (requestsTaken(false)) {
          break;
        }
        now = agent.clock().instant();
      }
    }
    log.info("estuary agent stopped");
  }

  /**
   * One pass: takes the {@code renew --now} requests, runs what is due (renewals, then the
   * registration) and saves the state.
   *
   * @return the credentials attempted, in renewal order; empty when none was due
   * @throws IOException when the state could not be saved (the attempts were made and scheduled)
   */
  public List<CredentialStatus> step() throws IOException {
    requestsTaken(true);
    return agent.tick();
  }

  /**
   * When {@link #step()} has something to do next: the engine's earliest due time (a renewal, a
   * retry, the registration; in the past when something is due now), or {@link #MAX_SLEEP} from now
   * when nothing is scheduled (every credential suspended).
   */
  public Instant nextWakeUp() {
    return agent.engine().nextWakeUp().orElseGet(() -> agent.clock().instant().plus(MAX_SLEEP));
  }

  /** The exception's class and message, on one line (the stack trace stays out of the log). */
  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /**
   * Takes the requests; a failure to read them is one line when {@code report} (in a step; the
   * sleeping loop leaves the report to the next step), and the next pass tries again.
   */
  private boolean requestsTaken(boolean report) {
    try {
      List<String> ids = RenewRequests.take(agent.config().agent().stateDir());
      for (String id : ids) {
        try {
          agent.renewNow(id);
        } catch (IllegalArgumentException e) {
          log.warn("renewal request ignored: {}", e.getMessage());
        }
      }
      return !ids.isEmpty();
    } catch (IOException | RuntimeException e) {
      if (report) {
        log.warn("renewal requests unreadable: {}", Printable.of(describe(e)));
      }
      return false;
    }
  }

  /** Makes {@link #run()} return after the step in progress. */
  public void stop() {
    stopped.countDown();
  }
}
