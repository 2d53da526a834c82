package dev.estuary.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.daemon.Agent;
import dev.estuary.agent.store.StoredNames;
import dev.estuary.agent.testing.EdgeCaDevice;
import dev.estuary.agent.testing.ScriptedEstServer;
import dev.estuary.agent.testing.TestCa;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code estuary agent check} on a device whose agent obtained its Edge CA from a scripted EST
 * server: all well, then one thing wrong at a time.
 */
class AgentCheckTest {
  private static TestCa ca;
  private static ScriptedEstServer server;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    ca = new TestCa();
    server = ScriptedEstServer.start(ca).always(EdgeCaDevice.server(ca));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void aWorkingDeviceChecksOutOnEveryLine() throws Exception {
    EdgeCaDevice device = running(server.base("edge-ca"));

    List<CheckResult> results = check(device, Clock.systemUTC());

    assertThat(results)
        .allSatisfy(
            r -> assertThat(r.outcome()).as(r.toString()).isEqualTo(CheckResult.Outcome.OK));
    assertThat(results)
        .extracting(CheckResult::name)
        .containsExactly(
            "config",
            "trust",
            "EST " + server.base("edge-ca"),
            "clock",
            EdgeCaDevice.EDGE_CA,
            "key files");
    assertThat(results).allSatisfy(r -> assertThat(r.toString()).startsWith("✓ "));
  }

  @Test
  void anUnreachableServerFailsWithAHint() throws Exception {
    URI closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = URI.create("https://127.0.0.1:" + s.getLocalPort() + "/.well-known/est/edge-ca");
    }
    EdgeCaDevice device = EdgeCaDevice.write(dir, closed, ca);

    CheckResult est = line(check(device, Clock.systemUTC()), "EST " + closed);

    assertThat(est.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(est.detail()).endsWith("connection refused");
    assertThat(est.hint()).hasValueSatisfying(h -> assertThat(h).contains("is the server running"));
    assertThat(est.toString()).startsWith("✗ ");
  }

  @Test
  void aKeyFileReadableByOthersFails() throws Exception {
    EdgeCaDevice device = running(server.base("edge-ca"));
    Path key =
        device.stateDir().resolve("keys").resolve(StoredNames.of(EdgeCaDevice.EDGE_CA) + ".key");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

    CheckResult keys = line(check(device, Clock.systemUTC()), "key files");

    assertThat(keys.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(keys.detail()).isEqualTo(key + " is rw-r--r--");
  }

  @Test
  void aClockTenMinutesOffFails() throws Exception {
    EdgeCaDevice device = running(server.base("edge-ca"));

    CheckResult clock =
        line(check(device, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10))), "clock");

    assertThat(clock.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(clock.detail()).contains(" s from 127.0.0.1's");
  }

  @Test
  void cacertsThatDoNotChainToTrustedCertsAreAWarning() throws Exception {
    try (ScriptedEstServer elsewhere = ScriptedEstServer.start(ca)) {
      TestCa other = new TestCa("Another Root");
      elsewhere.always(
          ScriptedEstServer.Answer.with(ScriptedEstServer.Response.certs(other.certificate())));
      EdgeCaDevice device = EdgeCaDevice.write(dir, elsewhere.base("edge-ca"), ca);

      CheckResult est = line(check(device, Clock.systemUTC()), "EST " + elsewhere.base("edge-ca"));

      assertThat(est.outcome()).isEqualTo(CheckResult.Outcome.WARNING);
      assertThat(est.detail())
          .contains("CN=Another Root")
          .endsWith("none of which chains to trusted_certs");
    }
  }

  /**
   * The device in {@link #dir} after its agent's first pass: the Edge CA obtained from {@code url}.
   */
  private EdgeCaDevice running(URI url) throws Exception {
    EdgeCaDevice device = EdgeCaDevice.write(dir, url, ca);
    try (Agent agent = Agent.open(device.agentConfig(), Clock.systemUTC())) {
      assertThat(agent.tick())
          .as("the first pass")
          .singleElement()
          .satisfies(s -> assertThat(s.validAt(Instant.now())).isTrue());
    }
    return device;
  }

  private static List<CheckResult> check(EdgeCaDevice device, Clock clock) {
    return AgentCheck.run(device.config(), device.parse(), clock);
  }

  private static CheckResult line(List<CheckResult> results, String name) {
    return results.stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line '" + name + "' in " + results));
  }
}
