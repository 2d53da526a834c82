package dev.estuary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "90s, PT90S",
    "15m, PT15M",
    "15min, PT15M",
    "12h, PT12H",
    "7d, P7D",
    "1day, P1D",
    "30days, P30D",
    "' 7d ', P7D",
    "'7 d', P7D"
  })
  void parsesAWholeNumberAndAUnit(String text, Duration expected) {
    assertThat(Durations.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "PT90S, 90s",
    "PT15M, 15m",
    "PT12H, 12h",
    "P7D, 7d",
    "PT25H, 25h",
    "PT60S, 1m",
    "PT1440M, 1d",
    "PT61M, 61m"
  })
  void formatsInTheShortestExactUnit(Duration d, String expected) {
    assertThat(Durations.format(d)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1s", "59s", "61s", "90m", "25h", "7d", "365d"})
  void formatThenParseRoundTrips(String text) {
    Duration d = Durations.parse(text);

    assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "7", "d", "7w", "1.5h", "-1d", "7 days ago", "P7D"})
  void refusesTextThatIsNotAWholeNumberAndAKnownUnit(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a duration")
        .hasMessageContaining("90s, 15m, 12h, 7d");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "0d"})
  void refusesZero(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than zero");
  }

  @ParameterizedTest
  @ValueSource(strings = {"999999999999999999d", "99999999999999999999s"})
  void refusesADurationTooLargeToRepresentAsABadValue(String text) {
    // IllegalArgumentException is what the config parser turns into a reported problem.
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text);
  }
}
