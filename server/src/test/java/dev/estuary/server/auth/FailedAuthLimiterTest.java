package dev.estuary.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class FailedAuthLimiterTest {
  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private final MovableClock clock = new MovableClock();
  private final FailedAuthLimiter limiter = new FailedAuthLimiter(clock, 3, Duration.ofMinutes(1));

  @Test
  void anAddressMayFailUpToTheLimitBeforeItMustWait() {
    limiter.failed("10.0.0.1");
    limiter.failed("10.0.0.1");
    assertThat(limiter.waitFor("10.0.0.1")).isZero();

    limiter.failed("10.0.0.1");

    assertThat(limiter.waitFor("10.0.0.1")).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void theWaitEndsWithTheWindow() {
    for (int i = 0; i < 3; i++) {
      limiter.failed("10.0.0.1");
    }
    clock.now = clock.now.plusSeconds(45);
    assertThat(limiter.waitFor("10.0.0.1")).isEqualTo(Duration.ofSeconds(15));

    clock.now = clock.now.plusSeconds(15);
    assertThat(limiter.waitFor("10.0.0.1")).isZero();
  }

  @Test
  void aFailureAfterTheWindowStartsANewCount() {
    for (int i = 0; i < 3; i++) {
      limiter.failed("10.0.0.1");
    }
    clock.now = clock.now.plusSeconds(61);

    limiter.failed("10.0.0.1");

    assertThat(limiter.waitFor("10.0.0.1")).isZero();
  }

  @Test
  void otherAddressesAreNotHeldUp() {
    for (int i = 0; i < 3; i++) {
      limiter.failed("10.0.0.1");
    }

    assertThat(limiter.waitFor("10.0.0.2")).isZero();
  }

  @Test
  void aLimitOfZeroNeverHoldsAnyoneUp() {
    FailedAuthLimiter off = new FailedAuthLimiter(clock, 0, Duration.ofMinutes(1));
    for (int i = 0; i < 100; i++) {
      off.failed("10.0.0.1");
    }

    assertThat(off.waitFor("10.0.0.1")).isZero();
  }
}
