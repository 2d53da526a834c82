package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.cli.EstuaryJar.Result;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everyday mistakes with the operator commands, through the jar: each gives exactly one line on
 * standard error (no stack trace) and the documented exit code (README: "Exit codes and errors").
 * The mistakes that need a running server (an unknown serial) are in {@link QuickstartCliIT}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CliErrorsIT {
  @TempDir Path work;

  @Test
  void serverNotRunning() throws Exception {
    Path data = Files.createDirectories(work.resolve("estuary-data"));
    Result cert =
        EstuaryJar.sh(
            work,
            "openssl req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=r -keyout k.pem -out estuary-data/root-ca.pem");
    assertThat(cert.code()).as(cert.describe()).isZero();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // free once closed: nothing listens there
    }
    Files.writeString(
        data.resolve("quickstart.json"),
        """
        { "admin_url" : "https://127.0.0.1:%d", "admin_token" : "t", "root_ca" : "%s" }
        """
            .formatted(port, data.resolve("root-ca.pem")));

    Result r = EstuaryJar.run(work, "server", "cert", "show", "abcd");

    assertOneLine(r, 3);
    assertThat(r.err())
        .contains(
            "cannot reach the admin API at https://127.0.0.1:" + port + ": connection refused")
        .contains("is the server running?");
  }

  @Test
  void noDataDirectoryHere() throws Exception {
    Result r = EstuaryJar.run(work, "server", "secret", "create", "--label", "idevid");

    assertOneLine(r, 3);
    assertThat(r.err())
        .contains(work.resolve("estuary-data/quickstart.json").toString())
        .contains("does not exist")
        .contains("--data-dir");
  }

  @Test
  void aSerialThatIsNotHex() throws Exception {
    Result r =
        EstuaryJar.run(
            work, "server", "cert", "revoke", "my-device", "--data-dir", work.toString());

    assertOneLine(r, 2);
    assertThat(r.err()).contains("'my-device' is not a serial number in hex");
  }

  @Test
  void aReasonRfc5280DoesNotName() throws Exception {
    Result r = EstuaryJar.run(work, "server", "cert", "revoke", "abcd", "--reason", "stolen");

    assertOneLine(r, 2);
    assertThat(r.err())
        .contains("'stolen' is not an RFC 5280 revocation reason")
        .contains("keyCompromise")
        .contains("cessationOfOperation");
  }

  @Test
  void anUnknownOption() throws Exception {
    Result r = EstuaryJar.run(work, "server", "--quickstrat");

    assertOneLine(r, 2);
    assertThat(r.err()).contains("--quickstrat");
  }

  @Test
  void stopWithNoServer() throws Exception {
    Result r = EstuaryJar.run(work, "server", "stop");

    assertOneLine(r, 3);
    assertThat(r.err())
        .contains("no server started from " + work.resolve("estuary-data") + " is running");
  }

  @Test
  void debugAddsTheStackTrace() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                EstuaryJar.java(), "-jar", EstuaryJar.jar(), "server", "cert", "show", "abcd")
            .directory(work.toFile());
    pb.environment().put("ESTUARY_DEBUG", "1");

    Result r = EstuaryJar.run(work, pb);

    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).contains("\tat dev.estuary.cli.AdminConnection");
  }

  @Test
  void versionIsTheBuildsVersion() throws Exception {
    Result r = EstuaryJar.run(work, "-V");

    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("estuary " + System.getProperty("estuary.version") + " (Java ");
  }

  /**
   * In a command's help, each subcommand's summary is its description's first line: a whole
   * sentence.
   */
  @Test
  void helpSummariesAreWholeSentences() throws Exception {
    for (String[] help :
        List.of(
            new String[] {"--help"},
            new String[] {"server", "--help"},
            new String[] {"agent", "--help"},
            new String[] {"agent", "config", "--help"})) {
      Result r = EstuaryJar.run(work, help);
      assertThat(r.code()).as(r.describe()).isZero();
      String commands = r.out().substring(r.out().indexOf("Commands:"));
      // "  name  summary", wrapped by picocli onto further, deeper-indented lines.
      List<String> summaries = new ArrayList<>();
      for (String l : commands.lines().skip(1).takeWhile(l -> !l.isBlank()).toList()) {
        if (l.matches("  \\S.*")) {
          summaries.add(l.strip().replaceFirst("^\\S+\\s+", ""));
        } else {
          summaries.set(
              summaries.size() - 1, summaries.get(summaries.size() - 1) + " " + l.strip());
        }
      }
      assertThat(summaries)
          .as(String.join(" ", help))
          .isNotEmpty()
          .allSatisfy(d -> assertThat(d).as(String.join(" ", help)).matches(".*[.)]$"));
    }
  }

  static void assertOneLine(Result r, int code) {
    assertThat(r.code()).as(r.describe()).isEqualTo(code);
    assertThat(r.err().lines().toList()).as(r.describe()).hasSize(1);
    assertThat(r.err()).doesNotContain("\tat ", "Exception:");
    assertThat(r.out()).as(r.describe()).isEmpty();
  }
}
