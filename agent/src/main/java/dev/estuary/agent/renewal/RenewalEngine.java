package dev.estuary.agent.renewal;

import dev.estuary.agent.text.Printable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps credentials renewed: decides when each is due, asks it to renew, and schedules the next
 * attempt by the rules of its {@link RenewalSchedule}. It never gives up on a credential: a failure
 * only moves the next attempt.
 *
 * <p>The engine does no sleeping and starts no threads. A loop drives it:
 *
 * <pre>{@code
 * while (running) {
 *   engine.tick();
 *   sleepUntil(engine.nextWakeUp().orElse(farFuture));   // or until woken by `renew --now`
 * }
 * }</pre>
 *
 * <p>Due credentials are attempted one after another in the order they were given, so list a
 * credential that others authenticate with (the EST identity) first. Then the due {@linkplain
 * FollowUp tasks}: a task is due at start when it is {@linkplain FollowUp#pending() pending}, and
 * in the same step as each renewal of the credential it follows; a failed task is retried by that
 * credential's {@link RenewalSchedule} (its retry period while the task's earlier result is in
 * force, at most {@link RenewalSchedule#RETRY_CEILING_WITHOUT_VALID_CERTIFICATE} apart otherwise,
 * {@code Retry-After} honoured), never given up.
 *
 * <p>Each failure is logged as one line at WARN with the credential, the attempt number, the
 * reason, the state of the certificate in force and the time of the next attempt.
 *
 * <p>Threading: {@link #tick()}, {@link #runDue(Instant)}, {@link #renewNow(String, Instant)} and
 * {@link #nextWakeUp()} belong to the one thread that drives the engine. {@link #status()} may be
 * called from any thread; it returns the snapshot published after the latest step.
 */
public final class RenewalEngine {

  private static final Logger log = LoggerFactory.getLogger(RenewalEngine.class);

  private final Clock clock;
  private final List<Slot> slots;
  private final List<TaskSlot> tasks;
  private volatile List<CredentialStatus> published;
  private volatile List<FollowUpStatus> publishedTasks;

  /**
   * Takes charge of {@code credentials}, reading each one's {@linkplain Renewable#current()
   * certificate} and scheduling its first attempt relative to {@code clock}.
   *
   * @throws IllegalArgumentException if two credentials share an id
   */
  public RenewalEngine(Clock clock, List<ManagedCredential> credentials) {
    this(clock, credentials, List.of());
  }

  /**
   * Takes charge of {@code credentials} as above, and of {@code followUps}, each due at once when
   * it is {@linkplain FollowUp#pending() pending} and the credential it follows holds a valid
   * certificate, and again after each renewal of that credential.
   *
   * @throws IllegalArgumentException if two credentials or tasks share an id, or a task follows no
   *     credential of this engine
   */
  public RenewalEngine(Clock clock, List<ManagedCredential> credentials, List<FollowUp> followUps) {
    this.clock = Objects.requireNonNull(clock, "clock");
    Instant now = clock.instant();
    Set<String> ids = new HashSet<>();
    List<Slot> built = new ArrayList<>();
    for (ManagedCredential c : credentials) {
      if (!ids.add(c.id())) {
        throw new IllegalArgumentException("two credentials share the id " + c.id());
      }
      built.add(new Slot(c, c.credential().current(), now));
    }
    this.slots = List.copyOf(built);
    List<TaskSlot> builtTasks = new ArrayList<>();
    for (FollowUp f : followUps) {
      if (!ids.add(f.id())) {
        throw new IllegalArgumentException("two credentials or tasks share the id " + f.id());
      }
      Slot followed =
          slots.stream()
              .filter(s -> s.managed.id().equals(f.follows()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          f.id()
                              + " follows "
                              + f.follows()
                              + ", which this engine does not renew"));
      TaskSlot t = new TaskSlot(f, followed);
      if (f.pending() && followed.current.filter(c -> c.isValidAt(now)).isPresent()) {
        t.nextAttempt = now;
      }
      builtTasks.add(t);
    }
    this.tasks = List.copyOf(builtTasks);
    publish();
  }

  /** Attempts every credential due at the clock's time; see {@link #runDue(Instant)}. */
  public List<CredentialStatus> tick() {
    return run(clock::instant);
  }

  /**
   * Attempts every credential whose next attempt is at or before {@code now}, and schedules each
   * one's next attempt.
   *
   * @return the status of each credential attempted, in order; empty if none was due
   */
  public List<CredentialStatus> runDue(Instant now) {
    Objects.requireNonNull(now, "now");
    return run(() -> now);
  }

  /**
   * The earliest next attempt of any credential or task; empty if none is scheduled (all suspended,
   * no task to do).
   */
  public Optional<Instant> nextWakeUp() {
    return Stream.concat(
            slots.stream().map(s -> s.nextAttempt), tasks.stream().map(t -> t.nextAttempt))
        .filter(Objects::nonNull)
        .min(Instant::compareTo);
  }

  /**
   * Makes credential {@code id} due at {@code now} (or keeps it due earlier, if it already was),
   * whatever its schedule, and lifts a suspension.
   *
   * @throws IllegalArgumentException if no credential has that id
   */
  public void renewNow(String id, Instant now) {
    Slot slot =
        slots.stream()
            .filter(s -> s.managed.id().equals(id))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no credential with id " + id));
    if (slot.nextAttempt == null || now.isBefore(slot.nextAttempt)) {
      slot.nextAttempt = now;
    }
    log.info("{}: renewal requested; next attempt at {}", id, slot.nextAttempt);
    publish();
  }

  /** Every credential's status after the latest step, in the order given; thread-safe. */
  public List<CredentialStatus> status() {
    return published;
  }

  /** Every task's status after the latest step, in the order given; thread-safe. */
  public List<FollowUpStatus> followUps() {
    return publishedTasks;
  }

  private List<CredentialStatus> run(Supplier<Instant> time) {
    Instant start = time.get();
    List<CredentialStatus> attempted = new ArrayList<>();
    for (Slot slot : slots) {
      if (slot.isDueAt(start)) {
        attempt(slot, time);
        attempted.add(slot.status());
        if (slot.lastOutcome instanceof RenewalOutcome.Renewed) {
          for (TaskSlot t : tasks) {
            if (t.followed == slot && (t.nextAttempt == null || t.nextAttempt.isAfter(start))) {
              t.nextAttempt = start;
            }
          }
        }
      }
    }
    for (TaskSlot t : tasks) {
      if (t.nextAttempt != null && !t.nextAttempt.isAfter(start)) {
        attempt(t, time);
      }
    }
    publish();
    return List.copyOf(attempted);
  }

  private void attempt(Slot slot, Supplier<Instant> time) {
    ManagedCredential managed = slot.managed;
    Instant started = time.get();
    Optional<CertificateInfo> before = slot.current;
    RenewalAttempt attempt =
        new RenewalAttempt(
            managed.id(),
            before,
            managed.rotateKey(),
            before.map(c -> c.isExpiredAt(started)).orElse(false),
            slot.consecutiveFailures + 1,
            started);
    RenewalOutcome outcome;
    RuntimeException unexpected = null;
    try {
      outcome = Objects.requireNonNull(managed.credential().renew(attempt), "renewal outcome");
    } catch (RuntimeException e) {
      unexpected = e;
      outcome = RenewalOutcome.Failed.of(FailureKind.LOCAL, "unexpected error: " + e);
    }
    Instant finished = time.get();
    slot.lastAttemptAt = started;
    slot.lastOutcome = outcome;
    slot.took.record(outcome instanceof RenewalOutcome.Renewed, started, finished);
    RenewalSchedule schedule = managed.schedule();
    if (outcome instanceof RenewalOutcome.Renewed renewed) {
      slot.current = Optional.of(renewed.certificate());
      slot.consecutiveFailures = 0;
      slot.lastError = null;
      slot.nextAttempt = schedule.afterSuccess(renewed.certificate(), finished);
      log.info(
          "{}: {}; certificate valid until {}; next renewal at {}",
          managed.id(),
          before.isEmpty()
              ? "obtained"
              : attempt.rotateKey() ? "renewed with a new key" : "renewed",
          renewed.certificate().notAfter(),
          slot.nextAttempt);
    } else if (outcome instanceof RenewalOutcome.Failed failed) {
      slot.consecutiveFailures++;
      slot.lastError = failed.kind().description() + ": " + failed.reason();
      slot.nextAttempt =
          schedule.afterFailure(
              before, failed.retryAfter(), finished, slot.consecutiveFailures, slot.took.longest());
      log.warn(
          "{}: renewal attempt {} failed, {}{}; {}; next attempt at {}",
          managed.id(),
          attempt.attempt(),
          slot.lastError,
          failed.retryAfter().map(d -> " (Retry-After " + seconds(d) + ")").orElse(""),
          describe(before, finished),
          slot.nextAttempt,
          unexpected);
    } else if (outcome instanceof RenewalOutcome.Suspended suspended) {
      slot.consecutiveFailures++;
      slot.lastError = "suspended: " + suspended.reason();
      slot.nextAttempt = null;
      log.error(
          "{}: automatic renewal suspended, {}; {}; it resumes when a renewal is requested"
              + " (estuary agent renew {} --now)",
          managed.id(),
          suspended.reason(),
          describe(before, finished),
          managed.id());
    }
  }

  private void attempt(TaskSlot t, Supplier<Instant> time) {
    FollowUp task = t.task;
    Instant started = time.get();
    Optional<CertificateInfo> basis = t.followed.current;
    if (basis.filter(c -> c.isValidAt(started)).isEmpty()) {
      // Nothing to do it with: the next renewal of the credential makes it due again.
      t.nextAttempt = null;
      log.info("{}: waits for {} to hold a valid certificate", task.name(), task.follows());
      return;
    }
    RenewalAttempt attempt =
        new RenewalAttempt(task.id(), basis, false, false, t.consecutiveFailures + 1, started);
    Optional<RenewalOutcome.Failed> failed;
    try {
      failed = Objects.requireNonNull(task.run(attempt), "task outcome");
    } catch (RuntimeException e) {
      failed =
          Optional.of(
              RenewalOutcome.Failed.of(
                  FailureKind.LOCAL, "unexpected error: " + Printable.of(e.toString())));
    }
    Instant finished = time.get();
    t.lastAttemptAt = started;
    t.runs++;
    t.took.record(failed.isEmpty(), started, finished);
    if (failed.isEmpty()) {
      t.consecutiveFailures = 0;
      t.lastError = null;
      t.nextAttempt = null;
      return;
    }
    RenewalOutcome.Failed f = failed.get();
    t.consecutiveFailures++;
    t.lastError = f.kind().description() + ": " + f.reason();
    t.nextAttempt =
        t.followed
            .managed
            .schedule()
            .afterFailure(
                task.inForce() ? basis : Optional.empty(),
                f.retryAfter(),
                finished,
                t.consecutiveFailures,
                t.took.longest());
    log.warn(
        "{} attempt {} failed, {}{}; {}; next attempt at {}",
        task.name(),
        attempt.attempt(),
        t.lastError,
        f.retryAfter().map(d -> " (Retry-After " + seconds(d) + ")").orElse(""),
        task.describeInForce(),
        t.nextAttempt);
  }

  private static String describe(Optional<CertificateInfo> current, Instant now) {
    if (current.isEmpty()) {
      return "no certificate yet";
    }
    CertificateInfo c = current.get();
    return c.isExpiredAt(now)
        ? "certificate expired at " + c.notAfter()
        : "certificate in force until " + c.notAfter();
  }

  private static String seconds(Duration d) {
    return d.toSeconds() + " s";
  }

  private void publish() {
    published = slots.stream().map(Slot::status).toList();
    publishedTasks = tasks.stream().map(TaskSlot::status).toList();
  }

  /**
   * How long the latest successful and the latest failed attempt took: the time an attempt takes
   * here, for the last chance before expiry ({@link RenewalSchedule#afterFailure}).
   */
  private static final class Durations {
    private Duration succeeded = Duration.ZERO;
    private Duration failed = Duration.ZERO;

    void record(boolean success, Instant started, Instant finished) {
      Duration d = Duration.between(started, finished);
      d = d.isNegative() ? Duration.ZERO : d;
      if (success) {
        succeeded = d;
      } else {
        failed = d;
      }
    }

    Duration longest() {
      return succeeded.compareTo(failed) >= 0 ? succeeded : failed;
    }
  }

  /** One task's mutable schedule; touched only by the driving thread. */
  private static final class TaskSlot {
    final FollowUp task;
    final Slot followed;
    final Durations took = new Durations();
    Instant nextAttempt;
    Instant lastAttemptAt;
    String lastError;
    int consecutiveFailures;
    int runs;

    TaskSlot(FollowUp task, Slot followed) {
      this.task = task;
      this.followed = followed;
    }

    FollowUpStatus status() {
      return new FollowUpStatus(
          task.id(),
          Optional.ofNullable(nextAttempt),
          Optional.ofNullable(lastAttemptAt),
          Optional.ofNullable(lastError),
          consecutiveFailures,
          runs);
    }
  }

  /** One credential's mutable schedule; touched only by the driving thread. */
  private static final class Slot {
    final ManagedCredential managed;
    final Durations took = new Durations();
    Optional<CertificateInfo> current;
    Instant nextAttempt;
    Instant lastAttemptAt;
    RenewalOutcome lastOutcome;
    String lastError;
    int consecutiveFailures;

    Slot(ManagedCredential managed, Optional<CertificateInfo> current, Instant now) {
      this.managed = managed;
      this.current = Objects.requireNonNull(current, managed.id() + ": current()");
      this.nextAttempt = managed.schedule().firstAttempt(current, now);
    }

    boolean isDueAt(Instant now) {
      return nextAttempt != null && !nextAttempt.isAfter(now);
    }

    CredentialStatus status() {
      return new CredentialStatus(
          managed.id(),
          current,
          current.map(managed.schedule()::renewalTime),
          Optional.ofNullable(nextAttempt),
          Optional.ofNullable(lastAttemptAt),
          Optional.ofNullable(lastOutcome),
          Optional.ofNullable(lastError),
          consecutiveFailures);
    }
  }
}
