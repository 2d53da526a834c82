package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.cli.EstuaryJar;
import dev.estuary.cli.SystemdAnalyze;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd unit in packaging/ is one systemd accepts, runs the agent daemon, and is hardened.
 */
class PackagingTest {
  static final Path UNIT = Path.of("..", "packaging", "estuary-agent.service");
  static final Path WRAPPER = Path.of("..", "packaging", "estuary-agent-java");
  static final String WRAPPER_IN_UNIT = "/bin/sh /usr/lib/estuary/estuary-agent-java";

  @Test
  void systemdAcceptsTheAgentUnitWithoutAWarning() throws Exception {
    SystemdAnalyze.acceptsWithoutAWarning(UNIT);
  }

  @Test
  void theJvmAcceptsTheFlagsTheUnitStartsTheDaemonWith(@TempDir Path dir) throws Exception {
    String out =
        runWrapper(dir, "JAVA_HOME", Path.of(EstuaryJar.java()).getParent().getParent().toString());
    assertThat(out).contains("version \"" + Runtime.version().feature());
  }

  /**
   * Debian 12 and Ubuntu 22.04 ship Java 17: the wrapper runs the agent there, without the options
   * 17 lacks.
   */
  @Test
  void theWrapperRunsTheUnitsFlagsOnJava17(@TempDir Path dir) throws Exception {
    Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    Assumptions.assumeTrue(
        Files.isExecutable(jdk17.resolve("bin/java")),
        "no Java 17 at "
            + jdk17
            + " (./estuary test installs openjdk-17-jre-headless where the distribution has it)");
    String out = runWrapper(dir, "JAVA_HOME", jdk17.toString());
    assertThat(out).contains("version \"17");
  }

  @Test
  void theUnitDoesNotHardCodeAJava() throws Exception {
    String unit = Files.readString(UNIT);
    assertThat(unit).doesNotContain("/usr/bin/java");
    assertThat(unit).containsPattern("(?m)^ExecStartPre=" + Pattern.quote(WRAPPER_IN_UNIT) + " ");
  }

  /**
   * Runs packaging/estuary-agent-java with the unit's ExecStart flags and -version; returns what it
   * printed.
   */
  private static String runWrapper(Path dir, String variable, String value) throws Exception {
    Matcher m =
        Pattern.compile("(?m)^ExecStart=" + Pattern.quote(WRAPPER_IN_UNIT) + " (.*) -jar ")
            .matcher(Files.readString(UNIT));
    assertThat(m.find()).as("ExecStart runs " + WRAPPER_IN_UNIT + " ... -jar").isTrue();
    List<String> command = new ArrayList<>();
    command.add("/bin/sh");
    command.add(WRAPPER.toAbsolutePath().normalize().toString());
    for (String flag : m.group(1).split(" +")) {
      // The archive goes to a scratch directory instead of /var/lib/estuary.
      command.add(flag.replace("/var/lib/estuary/", dir + "/"));
    }
    command.add("-version");
    Path log = dir.resolve("java.txt");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("ESTUARY_JAVA");
    pb.environment().put(variable, value);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    assertThat(out).doesNotContain("Unrecognized", "warning", "Error");
    return out;
  }

  @Test
  void theUnitRunsTheDaemonUnprivilegedWithAPrivateStateDirectory() throws Exception {
    String unit = Files.readString(UNIT);
    assertThat(unit)
        .containsPattern(
            "(?m)^ExecStart=.* -jar \\S+estuary-all\\.jar agent run -c /etc/aziot/config\\.toml")
        .contains("\nDynamicUser=yes")
        .contains("\nStateDirectory=estuary")
        .contains("\nStateDirectoryMode=0700")
        .contains("\nNoNewPrivileges=yes")
        .contains("\nProtectSystem=strict")
        .contains("\nCapabilityBoundingSet=\n");
  }
}
