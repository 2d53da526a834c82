package dev.estuary.agent.renewal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.agent.testing.LogLines;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A task that follows a credential (the DPS registration follows the device identity) runs in the
 * engine with the credential's retry policy: the one backoff of the agent.
 */
class FollowUpTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration TWO_MINUTES = Duration.ofMinutes(2);
  private static final RenewalSchedule EXACT =
      new RenewalSchedule(RenewalPolicy.DEFAULT, Jitter.none());

  private final MutableClock clock = new MutableClock(T0);

  /** A follow-up answering from a script (done once the script is used up). */
  private static final class ScriptedTask implements FollowUp {
    final boolean pending;
    boolean inForce;
    final Deque<Function<RenewalAttempt, Optional<RenewalOutcome.Failed>>> script =
        new ArrayDeque<>();
    final List<RenewalAttempt> runs = new ArrayList<>();

    ScriptedTask(boolean pending, boolean inForce) {
      this.pending = pending;
      this.inForce = inForce;
    }

    ScriptedTask thenFail(int times, RenewalOutcome.Failed failed) {
      for (int i = 0; i < times; i++) {
        script.add(a -> Optional.of(failed));
      }
      return this;
    }

    @Override
    public String id() {
      return "register";
    }

    @Override
    public String follows() {
      return "device-id";
    }

    @Override
    public String name() {
      return "provisioning: registration";
    }

    @Override
    public boolean pending() {
      return pending;
    }

    @Override
    public boolean inForce() {
      return inForce;
    }

    @Override
    public String describeInForce() {
      return inForce ? "the device stays assigned to hub h as d" : "no assignment yet";
    }

    @Override
    public Optional<RenewalOutcome.Failed> run(RenewalAttempt attempt) {
      runs.add(attempt);
      return script.isEmpty() ? Optional.empty() : script.poll().apply(attempt);
    }

    List<Instant> times() {
      return runs.stream().map(RenewalAttempt::at).toList();
    }
  }

  private RenewalEngine engine(ScriptedCredential credential, FollowUp task) {
    return new RenewalEngine(
        clock, List.of(new ManagedCredential(credential, EXACT, false)), List.of(task));
  }

  private static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  private void runUntil(RenewalEngine engine, Instant end) {
    for (int steps = 0; steps < 10_000; steps++) {
      Optional<Instant> wake = engine.nextWakeUp();
      if (wake.isEmpty() || wake.get().isAfter(end)) {
        return;
      }
      clock.set(wake.get());
      engine.tick();
    }
    throw new AssertionError("the engine kept waking without the clock moving");
  }

  private static FollowUpStatus statusOf(RenewalEngine engine) {
    return engine.followUps().get(0);
  }

  @Test
  void aPendingTaskIsDueAtOnceAndThenIdleUntilItsCredentialIsRenewed() {
    ScriptedCredential device = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    ScriptedTask register = new ScriptedTask(true, false);
    RenewalEngine engine = engine(device, register);

    assertThat(engine.nextWakeUp()).contains(T0);
    assertThat(engine.runDue(T0)).as("no credential was due").isEmpty();

    assertThat(register.times()).containsExactly(T0);
    assertThat(statusOf(engine).nextAttempt()).isEmpty();
    assertThat(engine.nextWakeUp()).as("the renewal of device-id, at 80%").contains(at(96));
  }

  @Test
  void aTaskDoneForTheCertificateOnDiskRunsAfterEachRenewalInTheSameStep() {
    ScriptedCredential device = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    ScriptedTask register = new ScriptedTask(false, true);
    RenewalEngine engine = engine(device, register);
    assertThat(engine.nextWakeUp()).contains(at(96));

    runUntil(engine, at(96 + 96));

    assertThat(device.attemptTimes()).containsExactly(at(96), at(192));
    assertThat(register.times()).containsExactly(at(96), at(192));
    assertThat(register.runs.get(0).current())
        .as("the task sees the renewed certificate")
        .contains(new CertificateInfo(at(96), at(96).plus(TWO_MINUTES)));
    assertThat(statusOf(engine).runs()).isEqualTo(2);
  }

  @Test
  void aPendingTaskWaitsForItsCredentialToHoldAValidCertificate() {
    ScriptedCredential device =
        ScriptedCredential.empty("device-id", TWO_MINUTES).thenFail(FailureKind.UNREACHABLE, "x");
    ScriptedTask register = new ScriptedTask(true, false);
    RenewalEngine engine = engine(device, register);
    assertThat(statusOf(engine).nextAttempt()).isEmpty();

    engine.runDue(T0);
    assertThat(register.runs).as("device-id failed: nothing to register with").isEmpty();

    runUntil(engine, at(60));
    assertThat(device.attempts()).hasSize(2);
    assertThat(register.times()).containsExactly(device.attemptTimes().get(1));
  }

  @Test
  void whileAnEarlierResultIsInForceAFailureIsRetriedAfterTheCredentialsRetryPeriod() {
    ScriptedCredential device = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    ScriptedTask register =
        new ScriptedTask(true, true)
            .thenFail(2, RenewalOutcome.Failed.of(FailureKind.REFUSED, "403 disabled"));
    RenewalEngine engine = engine(device, register);

    runUntil(engine, at(20));

    // 4% of two minutes: 4.8 s, the retry period of device-id itself
    assertThat(register.times()).containsExactly(T0, at(4.8), at(9.6));
    assertThat(statusOf(engine).consecutiveFailures()).isZero();
    assertThat(statusOf(engine).lastError()).isEmpty();
  }

  @Test
  void withNothingInForceRetriesBackOffToAMinuteApartAndNeverStop() {
    Duration year = Duration.ofDays(365);
    ScriptedCredential device = ScriptedCredential.holding("device-id", T0, year);
    ScriptedTask register =
        new ScriptedTask(true, false)
            .thenFail(30, RenewalOutcome.Failed.of(FailureKind.UNREACHABLE, "refused"));
    RenewalEngine engine = engine(device, register);

    runUntil(engine, T0.plus(Duration.ofMinutes(26)));

    assertThat(register.runs).hasSize(31);
    List<Duration> waits = new ArrayList<>();
    for (int i = 1; i < register.runs.size(); i++) {
      waits.add(Duration.between(register.times().get(i - 1), register.times().get(i)));
    }
    // 1, 2, 4, 8, 16, 32 s, then the ceiling
    assertThat(waits.subList(0, 6))
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(16),
            Duration.ofSeconds(32));
    assertThat(waits.subList(6, waits.size()))
        .containsOnly(RenewalSchedule.RETRY_CEILING_WITHOUT_VALID_CERTIFICATE);
    assertThat(register.runs.get(29).attempt()).isEqualTo(30);
    assertThat(statusOf(engine).nextAttempt()).isEmpty();
  }

  @Test
  void aRetryAfterLongerThanTheRetryPeriodIsHonoured() {
    ScriptedCredential device = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    ScriptedTask register =
        new ScriptedTask(true, true)
            .thenFail(
                1,
                RenewalOutcome.Failed.withRetryAfter(
                    FailureKind.RATE_LIMITED, "429", Duration.ofSeconds(30)));
    RenewalEngine engine = engine(device, register);

    engine.runDue(T0);

    assertThat(statusOf(engine).nextAttempt()).contains(at(30));
    assertThat(statusOf(engine).lastError()).contains("rate limited: 429");
    assertThat(statusOf(engine).consecutiveFailures()).isEqualTo(1);
  }

  /** Issue 16 point 3: a task that throws is a local failure, logged in one line and retried. */
  @Test
  void aTaskThatThrowsIsALocalFailureLoggedInOneLineAndRetried() {
    ScriptedCredential device = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    ScriptedTask register = new ScriptedTask(true, true);
    register.script.add(
        a -> {
          throw new NumberFormatException("Too many nonzero exponent digits.");
        });
    RenewalEngine engine = engine(device, register);

    try (LogLines logs = new LogLines()) {
      engine.runDue(T0);
      assertThat(logs.warnings())
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("provisioning: registration attempt 1 failed, local failure")
                      .contains("NumberFormatException")
                      .contains("Too many nonzero exponent digits.")
                      .contains("the device stays assigned to hub h as d")
                      .doesNotContain("\n"));
    }
    assertThat(statusOf(engine).nextAttempt()).contains(at(4.8));

    runUntil(engine, at(5));
    assertThat(register.times()).containsExactly(T0, at(4.8));
    assertThat(statusOf(engine).lastError()).isEmpty();
  }

  @Test
  void aTaskMustFollowACredentialOfTheEngine() {
    ScriptedCredential edge = ScriptedCredential.holding("aziot-edged-ca", T0, TWO_MINUTES);

    assertThatThrownBy(() -> engine(edge, new ScriptedTask(true, false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("register follows device-id");
  }
}
