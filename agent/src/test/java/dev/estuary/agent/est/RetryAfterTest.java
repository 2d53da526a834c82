package dev.estuary.agent.est;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Retry-After} as delay-seconds or an HTTP-date, measured from a given instant, capped at a
 * day.
 */
class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");

  @Test
  void readsDelaySeconds() {
    assertThat(parse("120")).contains(Duration.ofSeconds(120));
    assertThat(parse(" 0 ")).contains(Duration.ZERO);
  }

  @Test
  void readsAnHttpDateAsTheTimeUntilThen() {
    assertThat(parse(httpDate(NOW.plusSeconds(3600)))).contains(Duration.ofHours(1));
    assertThat(parse("Sat, 01 Jun 2030 12:00:30 GMT")).contains(Duration.ofSeconds(30));
  }

  @Test
  void aDateInThePastMeansNow() {
    assertThat(parse(httpDate(NOW.minusSeconds(600)))).contains(Duration.ZERO);
  }

  @Test
  void capsAtOneDay() {
    assertThat(parse("172800")).contains(Duration.ofDays(1));
    assertThat(parse("999999999")).contains(Duration.ofDays(1));
    assertThat(parse(httpDate(NOW.plus(Duration.ofDays(7))))).contains(Duration.ofDays(1));
    assertThat(parse("86400")).contains(Duration.ofDays(1));
    assertThat(parse("86399")).contains(Duration.ofSeconds(86_399));
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(
      strings = {
        "",
        "soon",
        "-5",
        "1.5",
        "12s",
        "1234567890",
        "2030-06-01T12:00:30Z",
        "Sat, 01 Jun 2030 25:00:00 GMT"
      })
  void anUnreadableHeaderIsIgnored(String header) {
    assertThat(parse(header)).isEmpty();
  }

  @Test
  void noHeaderIsNoWait() {
    assertThat(RetryAfter.parse(Optional.empty(), NOW)).isEmpty();
  }

  private static Optional<Duration> parse(String header) {
    return RetryAfter.parse(Optional.of(header), NOW);
  }

  private static String httpDate(Instant at) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(at, ZoneOffset.UTC));
  }
}
