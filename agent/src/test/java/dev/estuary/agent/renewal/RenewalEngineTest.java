package dev.estuary.agent.renewal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RenewalEngineTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration TWO_MINUTES = Duration.ofMinutes(2);
  private static final RenewalSchedule EXACT =
      new RenewalSchedule(RenewalPolicy.DEFAULT, Jitter.none());

  private final MutableClock clock = new MutableClock(T0);

  private RenewalEngine engineFor(Renewable credential) {
    return engineFor(credential, EXACT, false);
  }

  private RenewalEngine engineFor(
      Renewable credential, RenewalSchedule schedule, boolean rotateKey) {
    return new RenewalEngine(
        clock, List.of(new ManagedCredential(credential, schedule, rotateKey)));
  }

  private static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  /** Lets the engine run as its loop would, until its next wake-up is after {@code end}. */
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

  private static CredentialStatus statusOf(RenewalEngine engine) {
    return engine.status().get(0);
  }

  @Test
  void missingCredentialIsObtainedImmediately() {
    ScriptedCredential credential = ScriptedCredential.empty("device-id", TWO_MINUTES);
    RenewalEngine engine = engineFor(credential);

    assertThat(engine.nextWakeUp()).contains(T0);
    engine.runDue(T0);

    assertThat(credential.attempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.current()).isEmpty();
              assertThat(a.expired()).isFalse();
            });
    assertThat(statusOf(engine).validAt(T0)).isTrue();
  }

  @Test
  void renewsAtTheThresholdAndNotBefore() {
    ScriptedCredential credential = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    RenewalEngine engine = engineFor(credential);

    assertThat(engine.nextWakeUp()).contains(at(96));
    assertThat(engine.runDue(at(95.999))).isEmpty();
    assertThat(credential.attempts()).isEmpty();

    engine.runDue(at(96));
    assertThat(credential.attemptTimes()).containsExactly(at(96));
  }

  @Test
  void certificateFoundPastItsThresholdIsRenewedAtOnce() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0.minusSeconds(100), TWO_MINUTES);
    RenewalEngine engine = engineFor(credential);

    assertThat(engine.nextWakeUp()).contains(T0);
  }

  @Test
  void jitterMovesTheRenewalTime() {
    ScriptedCredential credential = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    // A quarter of the 24 s window from 96 s to 120 s later: 102 s.
    RenewalEngine engine =
        engineFor(credential, new RenewalSchedule(RenewalPolicy.DEFAULT, new Jitter(0.25)), false);

    assertThat(statusOf(engine).renewalTime()).contains(at(102));
    assertThat(engine.nextWakeUp()).contains(at(102));
  }

  @Test
  void failedRenewalIsRetriedAfterTheRetryPeriod() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0, TWO_MINUTES)
            .thenFail(FailureKind.UNREACHABLE, "connection refused");
    RenewalEngine engine = engineFor(credential);

    engine.runDue(at(96));
    assertThat(engine.nextWakeUp()).contains(at(100.8));
    assertThat(engine.runDue(at(100.799))).isEmpty();

    engine.runDue(at(100.8));
    assertThat(credential.attempts()).extracting(RenewalAttempt::attempt).containsExactly(1, 2);
  }

  @Test
  void retryAfterLongerThanTheRetryPeriodIsHonoured() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0, TWO_MINUTES)
            .thenRateLimit(Duration.ofSeconds(10));
    RenewalEngine engine = engineFor(credential);

    engine.runDue(at(96));

    assertThat(engine.nextWakeUp()).contains(at(106));
  }

  @Test
  void retryAfterShorterThanTheRetryPeriodDoesNotHurry() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0, TWO_MINUTES)
            .thenRateLimit(Duration.ofSeconds(1));
    RenewalEngine engine = engineFor(credential);

    engine.runDue(at(96));

    assertThat(engine.nextWakeUp()).contains(at(100.8));
  }

  @Test
  void retriesSeveralTimesWhileTheCertificateIsValid() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0, TWO_MINUTES)
            .failingFromThenOn(FailureKind.SERVER_ERROR, "503");
    RenewalEngine engine = engineFor(credential);

    runUntil(engine, at(119.5));

    // Every 4.8 s (4% of two minutes), then never more than half the time left, then the last
    // chance a second before expiry.
    assertThat(credential.attemptTimes())
        .containsExactly(
            at(96), at(100.8), at(105.6), at(110.4), at(115.2), at(117.6), at(118.8), at(119));
    assertThat(credential.attempts()).noneMatch(RenewalAttempt::expired);
  }

  @Test
  void lastChanceLeavesTwiceTheTimeAnAttemptTakesToFinishBeforeExpiry() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0, TWO_MINUTES)
            .eachAttemptTaking(clock, Duration.ofMillis(1500))
            .failingFromThenOn(FailureKind.SERVER_ERROR, "503");
    RenewalEngine engine = engineFor(credential);

    runUntil(engine, at(119.6));

    // Each attempt ends 1.5 s after it starts and waits 4.8 s (4% of two minutes), then half the
    // time left; the last chance is 3 s before expiry (twice 1.5 s), not 1 s, so it can finish.
    // With 1.5 s left after it, the 1 s minimum.
    assertThat(credential.attemptTimes())
        .containsExactly(at(96), at(102.3), at(108.6), at(114.9), at(117), at(119.5));
  }

  @Test
  void longRetryAfterIsCutToHalfTheTimeLeftSoSeveralAttemptsRemainBeforeExpiry() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0, TWO_MINUTES)
            .thenRateLimit(Duration.ofHours(1))
            .thenRateLimit(Duration.ofHours(1))
            .thenRateLimit(Duration.ofHours(1))
            .thenRateLimit(Duration.ofHours(1))
            .thenRateLimit(Duration.ofHours(1))
            .thenRateLimit(Duration.ofHours(1));
    RenewalEngine engine = engineFor(credential);

    runUntil(engine, at(119.5));

    // 24 s left at 96: 12 s, then 6, 3, 1.5, then the 1 s minimum, cut to the last chance at 119.
    assertThat(credential.attemptTimes())
        .containsExactly(at(96), at(108), at(114), at(117), at(118.5), at(119));
    assertThat(credential.attempts()).noneMatch(RenewalAttempt::expired);
  }

  @Test
  void afterExpiryKeepsTryingWithTheExpiredFlag() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0, TWO_MINUTES)
            .failingFromThenOn(FailureKind.UNREACHABLE, "no route to host");
    RenewalEngine engine = engineFor(credential);

    runUntil(engine, T0.plus(Duration.ofHours(1)));

    List<RenewalAttempt> afterExpiry =
        credential.attempts().stream().filter(a -> a.at().isAfter(at(120))).toList();
    assertThat(afterExpiry).hasSizeGreaterThan(100).allMatch(RenewalAttempt::expired);
    assertThat(engine.nextWakeUp()).isPresent();
  }

  @Test
  void expiredCertificateIsRenewedAtOnceWithTheExpiredFlag() {
    ScriptedCredential credential =
        ScriptedCredential.holding("est-id", T0.minus(Duration.ofDays(3)), TWO_MINUTES);
    RenewalEngine engine = engineFor(credential);

    engine.runDue(T0);

    assertThat(credential.attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.expired()).isTrue());
  }

  @Test
  void withoutAValidCertificateRetriesBackOffFromOneSecondToEveryMinute() {
    // 4% of a year is two weeks: too long to leave a device without its identity. The waits
    // double from 1 s until they reach the minute.
    Duration year = Duration.ofDays(365);
    ScriptedCredential credential =
        ScriptedCredential.holding("est-id", T0.minus(year).minusSeconds(1), year)
            .failingFromThenOn(FailureKind.REFUSED, "401 Unauthorized");
    RenewalEngine engine = engineFor(credential);

    runUntil(engine, at(63 + 60 + 60));

    assertThat(credential.attempts())
        .extracting(RenewalAttempt::at)
        .containsExactly(
            T0, at(1), at(3), at(7), at(15), at(31), at(63), at(63 + 60), at(63 + 60 + 60));
  }

  @Test
  void aMissingCredentialBacksOffTheSameWayWhenTheRetryIsAPercentage() {
    ScriptedCredential credential =
        ScriptedCredential.empty("device-id", TWO_MINUTES)
            .failingFromThenOn(FailureKind.UNREACHABLE, "timeout");
    RenewalEngine engine = engineFor(credential);

    runUntil(engine, at(200));

    assertThat(credential.attempts())
        .extracting(RenewalAttempt::at)
        .containsExactly(T0, at(1), at(3), at(7), at(15), at(31), at(63), at(123), at(183));
  }

  @Test
  void anExpiredCertificateIsRetriedAtMostItsRetryPeriodApart() {
    // 4% of two minutes is 4.8 s: the backoff's 1, 2 and 4 s, then 4.8 s.
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0.minus(TWO_MINUTES).minusSeconds(1), TWO_MINUTES)
            .failingFromThenOn(FailureKind.UNREACHABLE, "timeout");
    RenewalEngine engine = engineFor(credential);

    runUntil(engine, at(13));

    assertThat(credential.attempts())
        .extracting(RenewalAttempt::at)
        .containsExactly(T0, at(1), at(3), at(7), at(11.8));
  }

  @Test
  void retryIsTimedFromWhenTheFailedAttemptFinished() {
    ScriptedCredential credential = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    credential.then(
        a -> {
          clock.advance(Duration.ofSeconds(10)); // a slow network timeout
          return RenewalOutcome.Failed.of(FailureKind.UNREACHABLE, "read timed out");
        });
    RenewalEngine engine = engineFor(credential);

    clock.set(at(96));
    engine.tick();

    assertThat(engine.nextWakeUp()).contains(at(110.8));
  }

  @Test
  void failureIsRecordedInTheStatus() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0, TWO_MINUTES)
            .thenFail(FailureKind.UNREACHABLE, "connection refused");
    RenewalEngine engine = engineFor(credential);

    engine.runDue(at(96));

    CredentialStatus status = statusOf(engine);
    assertThat(status.lastAttemptAt()).contains(at(96));
    assertThat(status.lastOutcome()).containsInstanceOf(RenewalOutcome.Failed.class);
    assertThat(status.lastError()).contains("server unreachable: connection refused");
    assertThat(status.consecutiveFailures()).isEqualTo(1);
    assertThat(status.nextAttempt()).contains(at(100.8));
    assertThat(status.certificate()).isEqualTo(credential.current());
  }

  @Test
  void successResetsTheFailuresAndSchedulesFromTheNewCertificate() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0, TWO_MINUTES)
            .thenFail(FailureKind.SERVER_ERROR, "500");
    RenewalEngine engine = engineFor(credential);
    engine.runDue(at(96));

    engine.runDue(at(100.8));

    CredentialStatus status = statusOf(engine);
    assertThat(status.certificate()).contains(new CertificateInfo(at(100.8), at(220.8)));
    assertThat(status.lastOutcome()).containsInstanceOf(RenewalOutcome.Renewed.class);
    assertThat(status.lastError()).isEmpty();
    assertThat(status.consecutiveFailures()).isZero();
    assertThat(status.nextAttempt()).contains(at(196.8));
  }

  @Test
  void attemptNumbersStartAgainAfterASuccess() {
    ScriptedCredential credential =
        ScriptedCredential.holding("device-id", T0, TWO_MINUTES)
            .thenFail(FailureKind.SERVER_ERROR, "500");
    RenewalEngine engine = engineFor(credential);

    runUntil(engine, at(200));

    assertThat(credential.attempts()).extracting(RenewalAttempt::attempt).containsExactly(1, 2, 1);
  }

  @Test
  void certificateIssuedAlreadyPastItsThresholdWaitsARetryPeriod() {
    // The server issues certificates that are 110 s into their 120 s lifetime.
    ScriptedCredential credential = ScriptedCredential.empty("device-id", TWO_MINUTES);
    credential.then(
        a ->
            new RenewalOutcome.Renewed(
                new CertificateInfo(a.at().minusSeconds(110), a.at().plusSeconds(10))));
    RenewalEngine engine = engineFor(credential);

    engine.runDue(T0);

    assertThat(engine.nextWakeUp()).contains(at(4.8));
  }

  @Test
  void rotateKeyIsPassedToTheCredential() {
    ScriptedCredential rotating = ScriptedCredential.empty("device-id", TWO_MINUTES);
    ScriptedCredential keeping = ScriptedCredential.empty("aziot-edged-ca", TWO_MINUTES);
    RenewalEngine engine =
        new RenewalEngine(
            clock,
            List.of(
                new ManagedCredential(rotating, EXACT, true),
                new ManagedCredential(keeping, EXACT, false)));

    engine.runDue(T0);

    assertThat(rotating.attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.rotateKey()).isTrue());
    assertThat(keeping.attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.rotateKey()).isFalse());
  }

  @Test
  void dueCredentialsAreAttemptedInTheOrderGiven() {
    List<String> order = new ArrayList<>();
    List<ManagedCredential> credentials = new ArrayList<>();
    for (String id : List.of("est-id", "device-id", "aziot-edged-ca")) {
      ScriptedCredential c = ScriptedCredential.empty(id, TWO_MINUTES);
      c.then(
          a -> {
            order.add(a.credentialId());
            return new RenewalOutcome.Renewed(
                new CertificateInfo(a.at(), a.at().plus(TWO_MINUTES)));
          });
      credentials.add(new ManagedCredential(c, EXACT, true));
    }
    RenewalEngine engine = new RenewalEngine(clock, credentials);

    List<CredentialStatus> attempted = engine.runDue(T0);

    assertThat(order).containsExactly("est-id", "device-id", "aziot-edged-ca");
    assertThat(attempted).extracting(CredentialStatus::id).containsExactlyElementsOf(order);
  }

  @Test
  void nextWakeUpIsTheEarliestOfAllCredentials() {
    RenewalEngine engine =
        new RenewalEngine(
            clock,
            List.of(
                new ManagedCredential(
                    ScriptedCredential.holding("device-id", T0, TWO_MINUTES), EXACT, true),
                new ManagedCredential(
                    ScriptedCredential.holding("est-id", T0.minusSeconds(30), TWO_MINUTES),
                    EXACT,
                    true)));

    assertThat(engine.nextWakeUp()).contains(at(66));
  }

  @Test
  void suspendedCredentialWaitsUntilRenewalIsRequested() {
    ScriptedCredential credential = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    credential.then(a -> new RenewalOutcome.Suspended("certificate on disk was replaced by hand"));
    RenewalEngine engine = engineFor(credential);
    engine.runDue(at(96));

    assertThat(engine.nextWakeUp()).isEmpty();
    assertThat(statusOf(engine).suspended()).isTrue();
    assertThat(engine.runDue(at(1_000))).isEmpty();

    engine.renewNow("device-id", at(1_000));
    engine.runDue(at(1_000));
    assertThat(credential.attemptTimes()).containsExactly(at(96), at(1_000));
    assertThat(statusOf(engine).suspended()).isFalse();
  }

  @Test
  void renewNowMakesAValidCredentialDueAtOnce() {
    ScriptedCredential credential = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    RenewalEngine engine = engineFor(credential);

    engine.renewNow("device-id", at(10));
    engine.runDue(at(10));

    assertThat(credential.attemptTimes()).containsExactly(at(10));
  }

  @Test
  void renewNowDoesNotPostponeAnAttemptAlreadyDue() {
    ScriptedCredential credential = ScriptedCredential.empty("device-id", TWO_MINUTES);
    RenewalEngine engine = engineFor(credential);

    engine.renewNow("device-id", at(30));

    assertThat(engine.nextWakeUp()).contains(T0);
  }

  @Test
  void renewNowOfAnUnknownCredentialIsRefused() {
    RenewalEngine engine = engineFor(ScriptedCredential.empty("device-id", TWO_MINUTES));

    assertThatThrownBy(() -> engine.renewNow("edge-ca", T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("edge-ca");
  }

  @Test
  void exceptionFromTheCredentialIsALocalFailureAndIsRetried() {
    ScriptedCredential credential = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    credential.then(
        a -> {
          throw new IllegalStateException("disk full");
        });
    RenewalEngine engine = engineFor(credential);

    engine.runDue(at(96));

    CredentialStatus status = statusOf(engine);
    assertThat(status.lastError())
        .hasValueSatisfying(e -> assertThat(e).startsWith("local failure: ").contains("disk full"));
    assertThat(status.nextAttempt()).contains(at(100.8));
  }

  @Test
  void tickUsesTheClock() {
    ScriptedCredential credential = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    RenewalEngine engine = engineFor(credential);

    clock.set(at(95));
    engine.tick();
    clock.set(at(97));
    engine.tick();

    assertThat(credential.attemptTimes()).containsExactly(at(97));
  }

  @Test
  void statusListsEveryCredentialBeforeAnyAttempt() {
    RenewalEngine engine = engineFor(ScriptedCredential.holding("device-id", T0, TWO_MINUTES));

    assertThat(engine.status())
        .containsExactly(
            new CredentialStatus(
                "device-id",
                Optional.of(new CertificateInfo(T0, at(120))),
                Optional.of(at(96)),
                Optional.of(at(96)),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                0));
  }

  @Test
  void credentialsSharingAnIdAreRefused() {
    List<ManagedCredential> twins =
        List.of(
            new ManagedCredential(ScriptedCredential.empty("device-id", TWO_MINUTES), EXACT, true),
            new ManagedCredential(ScriptedCredential.empty("device-id", TWO_MINUTES), EXACT, true));

    assertThatThrownBy(() -> new RenewalEngine(clock, twins))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("device-id");
  }

  @Test
  void renewsWithinEveryWindowOverManyLifetimes() {
    ScriptedCredential credential = ScriptedCredential.holding("device-id", T0, TWO_MINUTES);
    RenewalEngine engine =
        engineFor(
            credential,
            new RenewalSchedule(RenewalPolicy.DEFAULT, Jitter.forSeed("device-17/device-id")),
            true);

    runUntil(engine, T0.plus(Duration.ofHours(1)));

    assertThat(credential.attempts())
        .hasSizeGreaterThan(30)
        .allSatisfy(
            a -> {
              CertificateInfo held = a.current().orElseThrow();
              assertThat(a.at())
                  .isBetween(held.notBefore().plusSeconds(90), held.notAfter().minusSeconds(18));
            });
  }
}
