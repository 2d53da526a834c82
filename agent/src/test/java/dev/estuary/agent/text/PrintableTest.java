package dev.estuary.agent.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Printable}: no character that moves the cursor, ends a line or changes a terminal passes.
 */
class PrintableTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\r", "\n", "\u001b", "\u0000", "\u0007", "\u007f", "\u0085", "\u009b", "\u2028", "\u2029",
        "\u202e", "\t"
      })
  void eachControlCharacterIsEscaped(String c) {
    String escaped = Printable.of("a" + c + "b");

    assertThat(escaped).isEqualTo("a" + String.format("\\u%04x", (int) c.charAt(0)) + "b");
  }

  @Test
  void aForgedLogLineStaysOnOneLine() {
    assertThat(Printable.of("hub.example.net\r\n2026-12-04 12:00:00 INFO forged \u001b[2J"))
        .isEqualTo("hub.example.net\\u000d\\u000a2026-12-04 12:00:00 INFO forged \\u001b[2J");
  }

  @Test
  void ordinaryTextIsUnchanged() {
    String text = "CN=my-device, O=Contoso (Zürich) — édge/ca\\1";
    assertThat(Printable.of(text)).isSameAs(text);
    assertThat(Printable.of((String) null)).isEqualTo("null");
  }
}
