package dev.estuary.agent.renewal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RenewalPolicyTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Instant TWO_MINUTES_LATER = T0.plusSeconds(120);

  @Test
  void defaultsAreEightyPercentThresholdAndFourPercentRetry() {
    assertThat(RenewalPolicy.DEFAULT)
        .isEqualTo(new RenewalPolicy(new LifetimeSpan.Percent(80), new LifetimeSpan.Percent(4)));
  }

  @Test
  void absentSettingsTakeTheDefaults() {
    assertThat(RenewalPolicy.parse(null, null)).isEqualTo(RenewalPolicy.DEFAULT);
  }

  @Test
  void parsesBothSettings() {
    assertThat(RenewalPolicy.parse("2day", "10min"))
        .isEqualTo(
            new RenewalPolicy(
                new LifetimeSpan.Fixed(Duration.ofDays(2)),
                new LifetimeSpan.Fixed(Duration.ofMinutes(10))));
  }

  @Test
  void invalidSettingIsNamedInTheError() {
    assertThatThrownBy(() -> RenewalPolicy.parse("80%", "4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("\"4\" is not a renewal setting");
  }

  @Test
  void eightyPercentOfATwoMinuteCertificateIsAtNinetySixSeconds() {
    assertThat(RenewalPolicy.DEFAULT.renewAt(T0, TWO_MINUTES_LATER)).isEqualTo(T0.plusSeconds(96));
  }

  @Test
  void fixedThresholdIsThatLongBeforeNotAfter() {
    Instant notAfter = T0.plus(Duration.ofDays(30));
    RenewalPolicy policy = RenewalPolicy.parse("2day", null);

    assertThat(policy.renewAt(T0, notAfter)).isEqualTo(notAfter.minus(Duration.ofDays(2)));
  }

  @Test
  void fixedThresholdLongerThanTheLifetimeRenewsAtNotBefore() {
    RenewalPolicy policy = RenewalPolicy.parse("5min", null);

    assertThat(policy.renewAt(T0, TWO_MINUTES_LATER)).isEqualTo(T0);
  }

  @Test
  void fourPercentRetryOfATwoMinuteCertificateIsFourPointEightSeconds() {
    assertThat(RenewalPolicy.DEFAULT.retryPeriod(T0, TWO_MINUTES_LATER))
        .isEqualTo(Duration.ofMillis(4800));
  }

  @Test
  void fixedRetryIsThatSpan() {
    RenewalPolicy policy = RenewalPolicy.parse(null, "15min");

    assertThat(policy.retryPeriod(T0, T0.plus(Duration.ofDays(365))))
        .isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void retryPeriodIsAtLeastOneSecond() {
    RenewalPolicy policy = RenewalPolicy.parse(null, "1%");

    assertThat(policy.retryPeriod(T0, T0.plusSeconds(10))).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void percentagesOfLongLifetimesDoNotOverflow() {
    Instant notAfter = T0.plus(Duration.ofDays(365 * 100));

    assertThat(RenewalPolicy.DEFAULT.renewAt(T0, notAfter))
        .isEqualTo(T0.plus(Duration.ofDays(365 * 80)));
  }

  @Test
  void refusesACertificateThatEndsBeforeItStarts() {
    assertThatThrownBy(() -> RenewalPolicy.DEFAULT.renewAt(TWO_MINUTES_LATER, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("notBefore");
  }

  @Test
  void printsInTheConfigurationForm() {
    assertThat(RenewalPolicy.DEFAULT).hasToString("threshold = \"80%\", retry = \"4%\"");
  }
}
