package dev.estuary.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.state.StateFile;
import dev.estuary.agent.testing.EdgeCaDevice;
import dev.estuary.agent.testing.ScriptedEstServer;
import dev.estuary.agent.testing.TestCa;
import dev.estuary.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One step of the agent's loop on a real agent (Edge CA over EST from a scripted server): due
 * renewals, {@code renew --now} requests left in the state directory, and the next wake-up (the
 * registration as a task of the engine: FollowUpTest, AgentProvisioningIT).
 */
class AgentDaemonTest {
  private static TestCa ca;
  private static ScriptedEstServer server;

  @TempDir Path dir;
  private EdgeCaDevice device;
  private Agent agent;
  private AgentDaemon daemon;

  @BeforeAll
  static void startServer() throws Exception {
    ca = new TestCa();
    server = ScriptedEstServer.start(ca);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void startAgent() throws Exception {
    server.reset();
    server.always(EdgeCaDevice.server(ca));
    device = EdgeCaDevice.write(dir, server.base("edge-ca"), ca);
    agent = Agent.open(device.agentConfig(), Clock.systemUTC());
    daemon = AgentDaemon.of(agent);
  }

  @AfterEach
  void stopAgent() {
    agent.close();
  }

  @Test
  void theFirstStepObtainsTheMissingCertificateTheNextHasNothingDue() throws Exception {
    assertThat(daemon.nextWakeUp()).as("due at once").isBeforeOrEqualTo(Instant.now());
    assertThat(daemon.step())
        .extracting(CredentialStatus::id)
        .containsExactly(EdgeCaDevice.EDGE_CA);
    assertThat(agent.credential(EdgeCaDevice.EDGE_CA).orElseThrow().pair()).isPresent();

    assertThat(daemon.step()).isEmpty();
  }

  @Test
  void theNextWakeUpIsTheEnginesNextDueTime() throws Exception {
    daemon.step();

    CredentialStatus edge = agent.engine().status().get(0);
    assertThat(edge.nextAttempt()).isPresent();
    assertThat(daemon.nextWakeUp()).isEqualTo(edge.nextAttempt().get()).isAfter(Instant.now());
  }

  /**
   * The daemon keeps no backoff of its own: a step whose state cannot be saved fails, and the next
   * wake-up is still the engine's retry of what failed, not a pause of the loop's (nor at once).
   */
  @Test
  void aStateThatCannotBeSavedFailsTheStepAndTheEnginesRetryIsTheNextWakeUp() throws Exception {
    Path stateFile = device.stateDir().resolve(StateFile.NAME);
    Files.delete(stateFile);
    Files.createDirectory(stateFile);
    Instant before = Instant.now();

    assertThatThrownBy(daemon::step).isInstanceOf(IOException.class);

    CredentialStatus edge = agent.engine().status().get(0);
    assertThat(edge.lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("local failure"));
    assertThat(edge.nextAttempt()).isPresent();
    assertThat(daemon.nextWakeUp()).isEqualTo(edge.nextAttempt().get()).isAfter(before);
  }

  @Test
  void aStepTakesARenewRequestAndRenewsThatCredentialAtOnce() throws Exception {
    daemon.step();

    RenewRequests.submit(device.stateDir(), EdgeCaDevice.EDGE_CA);
    List<CredentialStatus> attempted = daemon.step();

    assertThat(attempted)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.id()).isEqualTo(EdgeCaDevice.EDGE_CA);
              assertThat(s.lastOutcome()).containsInstanceOf(RenewalOutcome.Renewed.class);
            });
    // each renewal: cacerts (a root key update?) then simpleenroll
    assertThat(server.requests().stream().filter(r -> r.method().equals("POST"))).hasSize(2);
    assertThat(RenewRequests.take(device.stateDir())).isEmpty();
  }

  @Test
  void aRenewRequestAcceptsACertificateChangedByHandAndReplacesIt() throws Exception {
    daemon.step();
    Path file = agent.store().certificates().path(EdgeCaDevice.EDGE_CA);
    String byHand = Pem.encode(ca.edgeCa("by hand", TestCa.spki(TestCa.newKey().getPublic())));
    Files.writeString(file, byHand);
    assertThat(daemon.step()).as("nothing due before the request").isEmpty();

    RenewRequests.submit(device.stateDir(), EdgeCaDevice.EDGE_CA);

    assertThat(daemon.step())
        .singleElement()
        .satisfies(
            s -> assertThat(s.lastOutcome()).containsInstanceOf(RenewalOutcome.Renewed.class));
    assertThat(Files.readString(file)).isNotEqualTo(byHand);
    assertThat(agent.credential(EdgeCaDevice.EDGE_CA).orElseThrow().pair()).isPresent();
  }

  @Test
  void aRequestForAnUnknownCredentialIsDropped() throws Exception {
    daemon.step();

    RenewRequests.submit(device.stateDir(), "no-such-id");

    assertThat(daemon.step()).isEmpty();
    assertThat(RenewRequests.take(device.stateDir())).isEmpty();
  }
}
