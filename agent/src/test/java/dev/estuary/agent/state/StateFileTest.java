package dev.estuary.agent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.agent.json.JsonObject;
import dev.estuary.agent.renewal.CertificateInfo;
import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.renewal.FailureKind;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.testing.LogLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code state.json}: the ledger of certificate files the agent wrote, and the published schedule.
 */
class StateFileTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String ID = "device-id";

  @TempDir Path dir;

  @Test
  void aNewStateKnowsNothing() throws Exception {
    StateFile state = open();

    assertThat(state.knows(ID)).isFalse();
    assertThat(state.wrote(ID, "aa")).isFalse();
    assertThat(dir.resolve(StateFile.NAME)).doesNotExist();
  }

  @Test
  void aPendingFingerprintCountsAsWrittenButTheIdIsNotYetKnown() throws Exception {
    StateFile state = open();

    state.pending(ID, "aa");

    assertThat(state.wrote(ID, "aa")).isTrue();
    assertThat(state.wrote(ID, "bb")).isFalse();
    assertThat(state.wrote("edge", "aa")).isFalse();
    assertThat(state.knows(ID)).isFalse();
  }

  @Test
  void committingRecordsTheFingerprintAndClearsThePendingOne() throws Exception {
    StateFile state = open();
    state.committed(ID, "aa");
    state.pending(ID, "bb");

    state.committed(ID, "cc");

    assertThat(state.knows(ID)).isTrue();
    assertThat(state.wrote(ID, "cc")).isTrue();
    assertThat(state.wrote(ID, "aa")).as("the earlier file").isFalse();
    assertThat(state.wrote(ID, "bb")).as("the pending file, never committed").isFalse();
  }

  @Test
  void survivesReopening() throws Exception {
    StateFile first = open();
    first.committed(ID, "aa");
    first.pending("est-id", "bb");

    StateFile again = open();

    assertThat(again.knows(ID)).isTrue();
    assertThat(again.wrote(ID, "aa")).isTrue();
    assertThat(again.wrote("est-id", "bb")).isTrue();
    assertThat(again.knows("est-id")).isFalse();
  }

  @Test
  void isPrivateToItsOwner() throws Exception {
    open().committed(ID, "aa");

    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(StateFile.NAME))))
        .isEqualTo("rw-------");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "{\"credentials\": {",
        "[1, 2]",
        "\u0000\u0001binary",
        // Issue 16 point 4: valid JSON with a field the agent cannot read
        "{\"credentials\": {\"device-id\": {\"next_attempt\": \"not-a-date\"}}}",
        "{\"provisioning\": {\"next_attempt\": \"2026-13-45\"}}",
        "{\"credentials\": {\"device-id\": {\"certificate_sha256\": 42}}}",
        "{\"credentials\": [\"device-id\"]}",
        // Typed records: a field this agent does not know, a count that is not one, a version
        "{\"credentials\": {\"device-id\": {\"colour\": \"blue\"}}}",
        "{\"daemon\": {}}",
        "{\"provisioning\": {\"consecutive_failures\": \"three\"}}",
        "{\"provisioning\": {\"consecutive_failures\": -1}}",
        "{\"version\": 2, \"credentials\": {}}"
      })
  void anUnreadableFileIsMovedAsideAndTheAgentStartsAfresh(String content) throws Exception {
    Files.writeString(dir.resolve(StateFile.NAME), content);

    StateFile state;
    try (LogLines logs = new LogLines()) {
      state = open();
      assertThat(logs.warnings())
          .singleElement()
          .satisfies(line -> assertThat(line).contains("is unreadable").contains("moved to"));
    }

    assertThat(dir.resolve(StateFile.NAME + ".unreadable")).hasContent(content);
    assertThat(dir.resolve(StateFile.NAME)).doesNotExist();
    assertThat(state.knows(ID)).isFalse();
    state.committed(ID, "aa");
    assertThat(StateFile.read(dir))
        .hasValueSatisfying(s -> assertThat(s.ledgerEntry(ID).certificateSha256()).contains("aa"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"credentials\": {\"device-id\": {\"colour\": \"blue\"}}} | credentials.device-id.colour is not a field this agent knows",
        "{\"provisioning\": {\"next_attempt\": \"2026-13-45\"}} | provisioning.next_attempt is not a date: 2026-13-45",
        "{\"provisioning\": {\"consecutive_failures\": \"three\"}} | provisioning.consecutive_failures is not a number"
      })
  void theLogLineNamesWhatWasWrong(String content, String named) throws Exception {
    Files.writeString(dir.resolve(StateFile.NAME), content);

    try (LogLines logs = new LogLines()) {
      open();
      assertThat(logs.warnings()).singleElement().satisfies(l -> assertThat(l).contains(named));
    }
  }

  @Test
  void publishWritesEachCredentialsScheduleBesideItsFingerprint() throws Exception {
    StateFile state = open();
    state.committed(ID, "aa");
    CertificateInfo cert = new CertificateInfo(NOW.minusSeconds(3600), NOW.plusSeconds(7200));
    CredentialStatus failing =
        new CredentialStatus(
            ID,
            Optional.of(cert),
            Optional.of(NOW.plusSeconds(5000)),
            Optional.of(NOW.plusSeconds(60)),
            Optional.of(NOW.minusSeconds(10)),
            Optional.of(RenewalOutcome.Failed.of(FailureKind.UNREACHABLE, "connection refused")),
            Optional.of("server unreachable: connection refused"),
            2);
    CredentialStatus fresh =
        new CredentialStatus(
            "aziot-edged-ca",
            Optional.empty(),
            Optional.empty(),
            Optional.of(NOW),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            0);

    state.publish(List.of(failing, fresh), Optional.empty());

    JsonObject json = JsonObject.parse(Files.readAllBytes(dir.resolve(StateFile.NAME)));
    JsonObject c = json.object("credentials").object(ID);
    assertThat(c.text("certificate_sha256", "")).isEqualTo("aa");
    assertThat(c.text("not_before", "")).isEqualTo("2029-12-31T23:00:00Z");
    assertThat(c.text("not_after", "")).isEqualTo("2030-01-01T02:00:00Z");
    assertThat(c.text("renewal_time", "")).isEqualTo("2030-01-01T01:23:20Z");
    assertThat(c.text("next_attempt", "")).isEqualTo("2030-01-01T00:01:00Z");
    assertThat(c.text("last_attempt", "")).isEqualTo("2029-12-31T23:59:50Z");
    assertThat(c.text("last_outcome", "")).isEqualTo("failed");
    assertThat(c.text("last_error", "")).isEqualTo("server unreachable: connection refused");
    assertThat(c.number("consecutive_failures", -1)).isEqualTo(2);
    JsonObject e = json.object("credentials").object("aziot-edged-ca");
    assertThat(e.names()).contains("not_after", "last_outcome");
    assertThat(e.get("not_after")).isNull();
    assertThat(e.text("next_attempt", "")).isEqualTo("2030-01-01T00:00:00Z");
    assertThat(e.get("last_outcome")).isNull();
    assertThat(json.text("updated_at", "")).isEqualTo("2030-01-01T00:00:00Z");
    assertThat(json.number("version", -1)).isEqualTo(1);
  }

  @Test
  void theProvisioningRecordSurvivesReopeningBesideTheLedger() throws Exception {
    StateFile first = open();
    first.committed(ID, "aa");
    ProvisioningState assigned =
        ProvisioningState.NONE.assigned(
            "dev-1", "hub.example.net", "dev-1", "initialAssignment", "AB", NOW, NOW);
    first.provisioning().save(assigned);

    StateFile again = open();

    assertThat(again.provisioning().get()).contains(assigned);
    assertThat(again.knows(ID)).isTrue();
    JsonObject p =
        JsonObject.parse(Files.readAllBytes(dir.resolve(StateFile.NAME))).object("provisioning");
    assertThat(p.text("assigned_hub", "")).isEqualTo("hub.example.net");
    assertThat(p.text("status", "")).isEqualTo("assigned");
    assertThat(p.has("last_error")).as("absent, not null, after a success").isFalse();
    assertThat(p.names()).doesNotContain("last_error", "next_attempt");
  }

  @Test
  void aFileThatCannotBeWrittenLeavesTheStateAsItWas() throws Exception {
    StateFile state = open();
    state.committed(ID, "aa");
    Files.delete(dir.resolve(StateFile.NAME));
    Files.createDirectory(dir.resolve(StateFile.NAME));

    assertThatThrownBy(() -> state.committed(ID, "bb")).isInstanceOf(IOException.class);

    assertThat(state.wrote(ID, "aa")).isTrue();
    assertThat(state.wrote(ID, "bb")).isFalse();
  }

  private StateFile open() throws Exception {
    return StateFile.open(dir, CLOCK);
  }
}
