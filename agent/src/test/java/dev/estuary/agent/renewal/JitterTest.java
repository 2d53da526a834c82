package dev.estuary.agent.renewal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class JitterTest {
  private static final Instant NOT_BEFORE = Instant.parse("2030-01-01T00:00:00Z");
  private static final Instant NOT_AFTER = NOT_BEFORE.plusSeconds(120);
  private static final Instant RENEW_AT = NOT_BEFORE.plusSeconds(96);

  @Test
  void noJitterLeavesTheRenewalTimeAlone() {
    assertThat(Jitter.none().apply(RENEW_AT, NOT_BEFORE, NOT_AFTER)).isEqualTo(RENEW_AT);
  }

  @Test
  void sameSeedGivesTheSameShift() {
    assertThat(Jitter.forSeed("device-17/device-id"))
        .isEqualTo(Jitter.forSeed("device-17/device-id"));
  }

  @Test
  void differentSeedsGiveDifferentShifts() {
    assertThat(Jitter.forSeed("device-17/device-id"))
        .isNotEqualTo(Jitter.forSeed("device-18/device-id"))
        .isNotEqualTo(Jitter.forSeed("device-17/est-id"));
  }

  @Test
  void shiftStaysWithinAQuarterOfTheWindowEitherSide() {
    // The window from 96 s to 120 s is 24 s: a quarter of it is 6 s.
    for (int i = 0; i < 1000; i++) {
      Instant at = Jitter.forSeed("device-" + i).apply(RENEW_AT, NOT_BEFORE, NOT_AFTER);
      assertThat(at).isBetween(RENEW_AT.minusSeconds(6), RENEW_AT.plusSeconds(6));
    }
  }

  @Test
  void fleetOfAThousandSpreadsEvenlyAcrossTheRange() {
    int[] buckets = new int[10];
    IntStream.range(0, 1000)
        .mapToDouble(i -> Jitter.forSeed("fleet-device-" + i + "/device-id").fraction())
        .forEach(
            f -> buckets[(int) ((f + Jitter.DEFAULT_SPREAD) / (2 * Jitter.DEFAULT_SPREAD) * 10)]++);

    // A uniform spread puts 100 in each tenth; allow for chance, not for clumping.
    assertThat(IntStream.of(buckets).boxed().toList())
        .allSatisfy(n -> assertThat(n).isBetween(60, 140));
  }

  @Test
  void neverMovesRenewalBeforeNotBefore() {
    // A fixed threshold longer than the lifetime puts renewal at notBefore.
    Jitter earliest = new Jitter(-0.99);

    assertThat(earliest.apply(NOT_BEFORE, NOT_BEFORE, NOT_AFTER)).isEqualTo(NOT_BEFORE);
  }

  @Test
  void neverMovesRenewalToOrPastNotAfter() {
    Jitter latest = new Jitter(0.99);

    assertThat(latest.apply(RENEW_AT, NOT_BEFORE, NOT_AFTER)).isBefore(NOT_AFTER);
  }

  @Test
  void staysWithinTheCertificateForEveryPolicyAndSeed() {
    RenewalPolicy[] policies = {
      RenewalPolicy.DEFAULT,
      RenewalPolicy.parse("1%", null),
      RenewalPolicy.parse("99%", null),
      RenewalPolicy.parse("1min", null),
      RenewalPolicy.parse("1day", null),
    };
    for (RenewalPolicy policy : policies) {
      Instant renewAt = policy.renewAt(NOT_BEFORE, NOT_AFTER);
      for (int i = 0; i < 200; i++) {
        Instant at = Jitter.forSeed("d" + i).apply(renewAt, NOT_BEFORE, NOT_AFTER);
        assertThat(at).isBetween(NOT_BEFORE, NOT_AFTER.minus(Duration.ofMillis(1)));
      }
    }
  }

  @Test
  void spreadOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> Jitter.forSeed("x", 1.0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Jitter.forSeed("x", -0.1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
