package dev.estuary.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.testing.EdgeCaDevice;
import dev.estuary.agent.testing.LogLines;
import dev.estuary.agent.testing.ScriptedEstServer;
import dev.estuary.agent.testing.TestCa;
import dev.estuary.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One step of the agent's loop on a real agent (Edge CA over EST from a scripted server): due
 * renewals, {@code renew --now} requests left in the state directory, and the hooks.
 */
class AgentDaemonTest {
  private static TestCa ca;
  private static ScriptedEstServer server;
  private final AtomicInteger hooks = new AtomicInteger();

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
    daemon =
        new AgentDaemon(
            agent,
            List.of(
                new AfterTick() {
                  @Override
                  public void run() {
                    hooks.incrementAndGet();
                  }

                  @Override
                  public Optional<Instant> nextWakeUp() {
                    return Optional.empty();
                  }
                }));
  }

  @AfterEach
  void stopAgent() {
    agent.close();
  }

  @Test
  void theFirstStepObtainsTheMissingCertificateTheNextHasNothingDueAndEachRunsTheHooks()
      throws Exception {
    assertThat(daemon.step())
        .extracting(CredentialStatus::id)
        .containsExactly(EdgeCaDevice.EDGE_CA);
    assertThat(agent.credential(EdgeCaDevice.EDGE_CA).orElseThrow().pair()).isPresent();

    assertThat(daemon.step()).isEmpty();
    assertThat(hooks).hasValue(2);
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

  /**
   * Issue 16 point 3: a hook that throws (a DPS answer the parser chokes on, say) is logged and run
   * again, never ends the daemon.
   */
  @Test
  void aHookThatThrowsIsLoggedInOneLineAndRunAgainAtTheNextStep() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AgentDaemon failing =
        new AgentDaemon(
            agent,
            List.of(
                new AfterTick() {
                  @Override
                  public void run() {
                    runs.incrementAndGet();
                    throw new NumberFormatException("Too many nonzero exponent digits.");
                  }

                  @Override
                  public Optional<Instant> nextWakeUp() {
                    return Optional.empty();
                  }
                }));
    try (LogLines logs = new LogLines()) {
      failing.step();
      assertThat(logs.warnings())
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains("NumberFormatException")
                      .contains("Too many nonzero exponent digits.")
                      .doesNotContain("\n"));

      failing.step();
    }
    assertThat(runs).hasValue(2);
    assertThat(agent.credential(EdgeCaDevice.EDGE_CA).orElseThrow().pair())
        .as("the renewal ran nonetheless")
        .isPresent();
  }
}
