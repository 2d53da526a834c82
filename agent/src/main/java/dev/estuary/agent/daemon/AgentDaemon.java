package dev.estuary.agent.daemon;

import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.text.Printable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's main loop: attempt what is due, save the state, sleep until the next attempt — waking
 * every {@link #POLL} to pick up {@code renew --now} requests — until {@link #stop()}.
 */
public final class AgentDaemon {
  private static final Logger log = LoggerFactory.getLogger(AgentDaemon.class);

  /** How often the sleeping loop looks for requests. */
  static final Duration POLL = Duration.ofSeconds(1);

  /** How long the loop pauses after a step failed with an unexpected error. */
  static final Duration RETRY_AFTER_ERROR = Duration.ofMinutes(1);

  private final Agent agent;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<AfterTick> afterTick;

  /**
   * @param afterTick run after each step (provisioning hooks in here)
   */
  public AgentDaemon(Agent agent, List<AfterTick> afterTick) {
    this.agent = Objects.requireNonNull(agent, "agent");
    this.afterTick = List.copyOf(afterTick);
  }

  /** Runs until {@link #stop()}. */
  public void run() throws IOException, InterruptedException {
    log.info(
        "estuary agent running: credentials {}; state in {}",
        String.join(", ", agent.ids()),
        agent.config().agent().stateDir());
    while (stopped.getCount() > 0) {
      Instant next;
      try {
        step();
        next = nextWakeUp(agent.clock().instant());
      } catch (IOException | RuntimeException e) {
        // Local trouble (a full disk, say): one line, and the loop goes on after a pause.
        next = agent.clock().instant().plus(RETRY_AFTER_ERROR);
        log.error("agent step failed: {}; trying again at {}", Printable.of(describe(e)), next);
      }
      Instant now = agent.clock().instant();
      while (stopped.getCount() > 0 && now.isBefore(next)) {
        long wait = Math.min(POLL.toMillis(), Duration.between(now, next).toMillis());
        if (stopped.await(Math.max(wait, 1), TimeUnit.MILLISECONDS)) {
          break;
        }
        if (requestsTaken()) {
          break;
        }
        now = agent.clock().instant();
      }
    }
    log.info("estuary agent stopped");
  }

  /**
   * One pass: requests, due renewals, hooks. A hook that throws an unexpected (runtime) exception
   * is logged in one line and run again at the next pass; it does not stop the others.
   */
  public List<CredentialStatus> step() throws IOException {
    takeRequests();
    List<CredentialStatus> attempted = agent.tick();
    for (AfterTick hook : afterTick) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        log.error(
            "{} failed unexpectedly: {}; tried again at the next step",
            hook.getClass().getSimpleName(),
            Printable.of(describe(e)));
      }
    }
    return attempted;
  }

  /** The exception's class and message, on one line (the stack trace stays out of the log). */
  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /**
   * The earliest of the engine's next attempt and the hooks' wake-ups; a day from now at the
   * latest.
   */
  private Instant nextWakeUp(Instant now) {
    Instant next = now.plus(Duration.ofDays(1));
    for (Optional<Instant> t :
        Stream.concat(
                Stream.of(agent.engine().nextWakeUp()),
                afterTick.stream().map(AfterTick::nextWakeUp))
            .toList()) {
      if (t.isPresent() && t.get().isBefore(next)) {
        next = t.get();
      }
    }
    return next;
  }

  /**
   * {@link #takeRequests()} while sleeping: a failure to read them waits for the next step (which
   * reports it).
   */
  private boolean requestsTaken() {
    try {
      return takeRequests();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private boolean takeRequests() throws IOException {
    List<String> ids = RenewRequests.take(agent.config().agent().stateDir());
    for (String id : ids) {
      try {
        agent.renewNow(id);
      } catch (IllegalArgumentException e) {
        log.warn("renewal request ignored: {}", e.getMessage());
      }
    }
    return !ids.isEmpty();
  }

  /** Makes {@link #run()} return after the step in progress. */
  public void stop() {
    stopped.countDown();
  }
}
