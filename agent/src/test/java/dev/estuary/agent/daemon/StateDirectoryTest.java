package dev.estuary.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.testing.EdgeCaDevice;
import dev.estuary.agent.testing.LogLines;
import dev.estuary.agent.testing.ScriptedEstServer;
import dev.estuary.agent.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 6: a state directory, {@code keys/} or {@code certs/} that others may write in is
 * not used as it is: the agent sets its mode back (0700, certs/ 0755) and says so in one line each.
 */
class StateDirectoryTest {
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
  void directoriesOthersCanWriteInAreRepairedWithOneLineEach() throws Exception {
    EdgeCaDevice device = EdgeCaDevice.write(dir, server.base("edge-ca"), ca);
    try (Agent agent = Agent.open(device.agentConfig(), Clock.systemUTC())) {
      AgentDaemon.of(agent).step();
    }
    Path state = device.stateDir();
    for (Path d : new Path[] {state, state.resolve("keys"), state.resolve("certs")}) {
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    try (LogLines logs = new LogLines();
        Agent agent = Agent.open(device.agentConfig(), Clock.systemUTC())) {
      assertThat(mode(state)).isEqualTo("rwx------");
      assertThat(mode(state.resolve("keys"))).isEqualTo("rwx------");
      assertThat(mode(state.resolve("certs"))).isEqualTo("rwxr-xr-x");
      assertThat(logs.warnings())
          .hasSize(3)
          .allSatisfy(l -> assertThat(l).contains("was rwxrwxrwx").contains("set to"));
      assertThat(agent.credential(EdgeCaDevice.EDGE_CA).orElseThrow().pair()).isPresent();
    }
  }

  @Test
  void aKeyDirectoryOthersCanReadIsMadePrivate() throws Exception {
    EdgeCaDevice device = EdgeCaDevice.write(dir, server.base("edge-ca"), ca);
    Files.createDirectories(device.stateDir().resolve("keys"));
    Files.setPosixFilePermissions(device.stateDir(), PosixFilePermissions.fromString("rwx------"));
    Files.setPosixFilePermissions(
        device.stateDir().resolve("keys"), PosixFilePermissions.fromString("rwxr-xr-x"));

    try (LogLines logs = new LogLines();
        Agent agent = Agent.open(device.agentConfig(), Clock.systemUTC())) {
      assertThat(mode(device.stateDir().resolve("keys"))).isEqualTo("rwx------");
      assertThat(logs.warnings())
          .singleElement()
          .satisfies(l -> assertThat(l).contains("keys").contains("look in"));
    }
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
