package dev.estuary.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RenewalTableTest {

  @ParameterizedTest
  @ValueSource(strings = {"1%", "80%", "99%", "1min", "90min", "1day", "30day", "36500day", "007%"})
  void acceptsTheIdentityServiceForms(String value) {
    assertThat(RenewalTable.problem(value)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          0%            | '0%' must be between 0% and 100% (exclusive)
          100%          | '100%' must be between 0% and 100% (exclusive)
          120%          | '120%' must be between 0% and 100% (exclusive)
          -5%           | '-5%' must be between 0% and 100% (exclusive)
          0min          | '0min' must be at least 1min
          0day          | '0day' must be at least 1day
          5hours        | '5hours' has an unknown unit 'hours'; use N% (of the lifetime), Nmin or Nday (did you mean '300min'?)
          10d           | '10d' has an unknown unit 'd'; use N% (of the lifetime), Nmin or Nday (did you mean '10day'?)
          2w            | '2w' has an unknown unit 'w'; use N% (of the lifetime), Nmin or Nday (did you mean '14day'?)
          30s           | '30s' has an unknown unit 's'; use N% (of the lifetime), Nmin or Nday
          80            | '80' has no unit; write '80%', '80min' or '80day'
          2.5%          | '2.5%' must be a whole number followed by %, min or day
          5 min         | '5 min' must not contain spaces; write '5min'
          3days         | '3days' has the unit 'days'; write '3day'
          abc           | 'abc' is not a whole number followed by %, min or day, e.g. "80%", "30min", "2day"
          36501day      | '36501day' is more than 100 years
          99999999999999999999% | '99999999999999999999%' is too large
          """)
  void explainsEachMistake(String value, String message) {
    assertThat(RenewalTable.problem(value)).contains(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " "})
  void anEmptyValueIsReported(String value) {
    assertThat(RenewalTable.problem(value))
        .hasValueSatisfying(m -> assertThat(m).startsWith("is empty"));
  }
}
