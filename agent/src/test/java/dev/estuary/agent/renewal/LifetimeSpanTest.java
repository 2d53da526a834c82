package dev.estuary.agent.renewal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LifetimeSpanTest {

  @Test
  void percentageIsAShareOfTheLifetime() {
    assertThat(LifetimeSpan.parse("80%")).isEqualTo(new LifetimeSpan.Percent(80));
  }

  @Test
  void minutesAreAFixedSpan() {
    assertThat(LifetimeSpan.parse("90min"))
        .isEqualTo(new LifetimeSpan.Fixed(Duration.ofMinutes(90)));
  }

  @Test
  void daysAreAFixedSpan() {
    assertThat(LifetimeSpan.parse("3day")).isEqualTo(new LifetimeSpan.Fixed(Duration.ofDays(3)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1%", "99%"})
  void percentagesJustInsideTheBoundsAreAccepted(String text) {
    assertThat(LifetimeSpan.parse(text)).isInstanceOf(LifetimeSpan.Percent.class);
  }

  @ParameterizedTest(name = "\"{0}\" is refused: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "0%       | the number must be at least 1",
        "100%     | a percentage must be below 100",
        "150%     | a percentage must be below 100",
        "0min     | the number must be at least 1",
        "0day     | the number must be at least 1",
        "80.5%    | fractions are not accepted",
        "1.5day   | fractions are not accepted",
        "80       | the unit is missing",
        "5h       | unknown form",
        "2days    | unknown form",
        "10MIN    | unknown form",
        "-5min    | unknown form",
        "+80%     | unknown form",
        "' 80%'   | unknown form",
        "%        | unknown form",
        "abc%     | unknown form",
        "99999999999999999999day | the number is too large",
        "999999999999999day | the number is too large",
      })
  void invalidFormsAreRefusedWithTheReason(String text, String problem) {
    assertThatThrownBy(() -> LifetimeSpan.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"")
        .hasMessageContaining(problem);
  }

  @Test
  void emptyValueIsRefused() {
    assertThatThrownBy(() -> LifetimeSpan.parse(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"\"");
  }

  @Test
  void errorNamesTheAcceptedForms() {
    assertThatThrownBy(() -> LifetimeSpan.parse("5h"))
        .hasMessage(
            "\"5h\" is not a renewal setting (unknown form); expected N% (a whole number,"
                + " 0 < N < 100), Nmin or Nday (a whole number, at least 1),"
                + " e.g. \"80%\", \"30min\", \"2day\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"80%", "4%", "30min", "1441min", "2day"})
  void printsInTheConfigurationForm(String text) {
    assertThat(LifetimeSpan.parse(text)).hasToString(text);
  }

  @Test
  void wholeDaysOfMinutesPrintAsDays() {
    assertThat(LifetimeSpan.parse("2880min")).hasToString("2day");
  }
}
