package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import dev.estuary.cli.EstuaryJar;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void theJvmAcceptsTheFlagsTheUnitStartsTheDaemonWith(@TempDir Path dir) throws Exception {
    Matcher m = Pattern.compile("(?m)^ExecStart=/usr/bin/java (.*) -jar ").matcher(Files.readString(UNIT));
    assertThat(m.find()).as("ExecStart runs /usr/bin/java ... -jar").isTrue();
    List<String> command = new ArrayList<>();
    command.add(EstuaryJar.java());
    for (String flag : m.group(1).split(" +")) {
      // The archive goes to a scratch directory instead of /var/lib/estuary.
      command.add(flag.replace("/var/lib/estuary/", dir + "/"));
    }
    command.add("-version");
    Path log = dir.resolve("java.txt");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + Files.readString(log)).isZero();
    assertThat(Files.readString(log)).doesNotContain("Unrecognized", "warning", "Error");
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
