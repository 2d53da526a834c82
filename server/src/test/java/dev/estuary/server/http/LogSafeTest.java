package dev.estuary.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {
  @Test
  void escapesLineBreaksAndControlCharacters() {
    assertThat(LogSafe.escape("a\r\nb\tc\u0000d\u001be\u2028f\u0085g"))
        .isEqualTo("a\\r\\nb\\tc\\u0000d\\u001be\\u2028f\\u0085g");
  }

  @Test
  void doublesBackslashSoAnEscapeInTheInputStaysVisible() {
    assertThat(LogSafe.escape("a\\nb")).isEqualTo("a\\\\nb");
  }

  @Test
  void leavesPrintableTextAlone() {
    String s = "CN=device-1, O=Fabrik Ümlaut";
    assertThat(LogSafe.escape(s)).isSameAs(s);
  }

  @Test
  void cutsVeryLongInput() {
    String escaped = LogSafe.escape("x".repeat(2000));
    assertThat(escaped).startsWith("x".repeat(LogSafe.MAX)).endsWith("...(2000 chars)");
  }

  @Test
  void nullIsWrittenAsNull() {
    assertThat(LogSafe.escape(null)).isEqualTo("null");
  }
}
