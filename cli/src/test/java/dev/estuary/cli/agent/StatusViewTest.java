package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 5: {@code estuary agent status} prints what remote services said (the hub, the
 * device id, errors) with control characters escaped, so an answer cannot forge lines or drive the
 * terminal.
 */
class StatusViewTest {
  @TempDir Path state;

  @Test
  void remoteStringsArePrintedWithTheirControlCharactersEscaped() throws Exception {
    String forged = "\\r\\nprovisioning\\n  assigned      hub evil.example.net \\u001b[2J\\u009b";
    Files.writeString(
        state.resolve("state.json"),
        """
        {"version": 1, "updated_at": "2026-12-04T16:00:00Z",
         "credentials": {"device-id": {"last_outcome": "failed", "last_attempt": "2026-12-04T16:00:00Z",
                                        "last_error": "bad response: %1$s", "consecutive_failures": 1}},
         "provisioning": {"status": "assigned", "assigned_hub": "hub.example.net%1$s", "device_id": "dev-1%1$s",
                          "substatus": "initialAssignment%1$s", "registered_at": "2026-12-04T16:00:00Z",
                          "last_error": "registration dev-1 %1$s", "consecutive_failures": 2, "next_attempt": "2026-12-04T16:05:00Z"}}
        """
            .formatted(forged));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    StatusView.print(
        new PrintStream(bytes, true, StandardCharsets.UTF_8),
        state,
        Instant.parse("2026-12-04T16:01:00Z"));

    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .contains(
            "hub hub.example.net\\u000d\\u000aprovisioning\\u000a  assigned      hub evil.example.net \\u001b[2J\\u009b");
    assertThat(out.lines())
        .filteredOn(l -> l.contains("evil.example.net"))
        .hasSize(3); // hub, device and substatus on one line; two errors
    assertThat(out.chars().filter(c -> (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f)))
        .isEmpty();
  }
}
