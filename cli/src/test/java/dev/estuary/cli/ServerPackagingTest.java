package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * packaging/estuary-server.service: systemd accepts it, it runs the server from the data directory
 * `server init` makes in its state directory, with the launcher's heap cap, unprivileged and
 * hardened.
 */
class ServerPackagingTest {
  static final Path UNIT = Path.of("..", "packaging", "estuary-server.service");
  static final Path LAUNCHER = Path.of("..", "estuary");

  @Test
  void systemdAcceptsTheServerUnitWithoutAWarning() throws Exception {
    SystemdAnalyze.acceptsWithoutAWarning(UNIT);
  }

  @Test
  void theUnitCapsTheHeapAsTheLauncherDoes() throws Exception {
    Matcher launcher = Pattern.compile("(?m)^heap=(-Xmx\\S+)").matcher(Files.readString(LAUNCHER));
    assertThat(launcher.find()).as("the launcher's heap=-Xmx... line").isTrue();
    assertThat(execStart()).contains(" " + launcher.group(1) + " ");
  }

  @Test
  void theJvmAcceptsTheFlagsTheUnitStartsTheServerWith(@TempDir Path dir) throws Exception {
    Matcher m = Pattern.compile("^/usr/bin/java (.*) -jar ").matcher(execStart());
    assertThat(m.find()).as("ExecStart runs /usr/bin/java ... -jar").isTrue();
    List<String> command = new ArrayList<>();
    command.add(EstuaryJar.java());
    command.addAll(List.of(m.group(1).split(" +")));
    command.add("-version");
    Path log = dir.resolve("java.txt");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + Files.readString(log)).isZero();
    assertThat(Files.readString(log)).doesNotContain("Unrecognized", "warning", "Error");
  }

  @Test
  void theUnitRunsTheServerUnprivilegedFromItsStateDirectory() throws Exception {
    String unit = Files.readString(UNIT);
    assertThat(execStart())
        .endsWith(
            "-jar /usr/lib/estuary/estuary-all.jar server --config /var/lib/estuary-server/server.toml");
    assertThat(unit)
        .contains("\nDynamicUser=yes")
        .contains("\nStateDirectory=estuary-server")
        .contains("\nStateDirectoryMode=0700")
        .contains("\nUMask=0077")
        .contains("\nNoNewPrivileges=yes")
        .contains("\nProtectSystem=strict")
        .contains("\nProtectHome=yes")
        .contains("\nCapabilityBoundingSet=\n");
  }

  private static String execStart() throws Exception {
    Matcher m = Pattern.compile("(?m)^ExecStart=(.*)$").matcher(Files.readString(UNIT));
    assertThat(m.find()).as("an ExecStart line").isTrue();
    return m.group(1).strip();
  }
}
