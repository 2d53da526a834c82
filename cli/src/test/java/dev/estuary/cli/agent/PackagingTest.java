package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The systemd unit in packaging/ is one systemd accepts, runs the agent daemon, and is hardened. */
class PackagingTest {
  static final Path UNIT = Path.of("..", "packaging", "estuary-agent.service");

  @Test
  void systemdAcceptsTheAgentUnitWithoutAWarning() throws Exception {
    Path log = Files.createTempFile("systemd-analyze", ".txt");
    Process p = new ProcessBuilder("systemd-analyze", "verify", UNIT.toAbsolutePath().normalize().toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).as("systemd-analyze verify output").isBlank();
  }

  @Test
  void theUnitRunsTheDaemonUnprivilegedWithAPrivateStateDirectory() throws Exception {
    String unit = Files.readString(UNIT);
    assertThat(unit)
        .containsPattern("(?m)^ExecStart=.* -jar \\S+estuary-all\\.jar agent run -c /etc/aziot/config\\.toml")
        .contains("\nDynamicUser=yes")
        .contains("\nStateDirectory=estuary")
        .contains("\nStateDirectoryMode=0700")
        .contains("\nNoNewPrivileges=yes")
        .contains("\nProtectSystem=strict")
        .contains("\nCapabilityBoundingSet=\n");
  }
}
