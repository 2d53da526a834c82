package dev.estuary.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The typed state reads what the previous version of the agent wrote (a fixture of its untyped
 * sections, written as it wrote them: a preloaded est-id with a ledger entry only, a credential
 * mid-rotation with a pending fingerprint, one failing with nulls, a provisioning section with a
 * failing re-registration) and writes it back in the same form.
 */
class AgentStateTest {
  private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");

  @TempDir Path dir;

  private static byte[] fixture() throws Exception {
    try (InputStream in =
        AgentStateTest.class.getResourceAsStream("/state/state-v1-previous-version.json")) {
      return in.readAllBytes();
    }
  }

  @Test
  void aStateFileOfThePreviousVersionLoadsWithoutBeingMovedAside() throws Exception {
    Files.write(dir.resolve(StateFile.NAME), fixture());

    StateFile file = StateFile.open(dir, Clock.fixed(NOW, ZoneOffset.UTC));

    assertThat(dir.resolve(StateFile.NAME + ".unreadable")).doesNotExist();
    assertThat(file.knows("est-id")).isTrue();
    assertThat(file.wrote("device-id", "2".repeat(64))).isTrue();
    assertThat(file.wrote("device-id", "3".repeat(64))).as("pending").isTrue();
    assertThat(file.knows("aziot-edged-ca")).isFalse();
    AgentState s = file.current();
    assertThat(s.credentialIds()).containsExactly("est-id", "device-id", "aziot-edged-ca");
    assertThat(s.schedule("est-id")).isEmpty();
    CredentialSchedule device = s.schedule("device-id").orElseThrow();
    assertThat(device.notAfter()).contains(Instant.parse("2027-12-01T00:00:00Z"));
    assertThat(device.lastAttempt()).contains(Instant.parse("2026-12-01T00:00:01.250Z"));
    assertThat(device.renewed()).isTrue();
    CredentialSchedule edge = s.schedule("aziot-edged-ca").orElseThrow();
    assertThat(edge.notAfter()).isEmpty();
    assertThat(edge.lastError()).contains("server unreachable: connection refused");
    assertThat(edge.consecutiveFailures()).isEqualTo(3);
    ProvisioningState p = file.provisioning().get().orElseThrow();
    assertThat(p.assignment()).contains("hub.example.net as my-device-id");
    assertThat(p.assignedWith("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789"))
        .isTrue();
    assertThat(p.lastError()).contains("registration my-device-id refused: 403 Forbidden (403001)");
    assertThat(p.consecutiveFailures()).isEqualTo(2);
    assertThat(p.pendingCertificateSha256())
        .contains("FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210");
    assertThat(s.registrationDue()).contains(Instant.parse("2026-12-05T07:58:20Z"));
    assertThat(s.updatedAt()).contains(Instant.parse("2026-12-05T07:59:00.500Z"));
  }

  @Test
  void itIsWrittenBackInTheSameForm() throws Exception {
    JsonObject previous = JsonObject.parse(fixture());

    JsonObject again = AgentState.parse(fixture()).toJson();

    assertThat(again).isEqualTo(previous);
    assertThat(AgentState.fromJson(again)).isEqualTo(AgentState.parse(fixture()));
  }

  @Test
  void aSaveKeepsWhatItDidNotChange() throws Exception {
    Files.write(dir.resolve(StateFile.NAME), fixture());
    StateFile file = StateFile.open(dir, Clock.fixed(NOW, ZoneOffset.UTC));

    file.committed("aziot-edged-ca", "4".repeat(64));

    JsonObject written = JsonObject.parse(Files.readAllBytes(dir.resolve(StateFile.NAME)));
    JsonObject expected = JsonObject.parse(fixture());
    expected
        .object("credentials")
        .object("aziot-edged-ca")
        .put("certificate_sha256", "4".repeat(64));
    expected.put("updated_at", NOW.toString());
    assertThat(written).isEqualTo(expected);
    assertThat(StateFile.read(dir).map(AgentState::provisioning))
        .contains(file.current().provisioning());
    assertThat(Optional.of(file.current())).isEqualTo(StateFile.read(dir));
  }
}
