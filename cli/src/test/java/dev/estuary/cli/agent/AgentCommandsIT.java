package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.config.ConfigCase;
import dev.estuary.cli.EstuaryJar;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code estuary agent check} and {@code status} when things are missing, through the jar. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AgentCommandsIT {
  @TempDir Path work;

  @Test
  void checkSaysInWordsThatNothingAnswersAndFails() throws Exception {
    ConfigCase c = ConfigCase.make("seed", work.resolve("seed"));
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort(); // nothing listens there once closed
    }
    // The seed's URLs (its EST server and Azure's global endpoint), moved to a loopback port where
    // nothing listens.
    String config =
        Files.readString(c.config())
            .replace("https://localhost:8443", "https://127.0.0.1:" + closed)
            .replace(
                "https://global.azure-devices-provisioning.net", "https://127.0.0.1:" + closed);
    Files.writeString(c.config(), config);
    // A real root and IDevID (the case's files are placeholders), so that the check goes on to the
    // network.
    EstuaryJar.Result root =
        EstuaryJar.sh(
            c.dir(),
            "openssl req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=root"
                + " -keyout root.key -out var/aziot/certs/globalsign-root.cert.pem"
                + " && openssl req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=IDevID"
                + " -keyout var/aziot/secrets/IDevID.key.pem -out var/aziot/certs/IDevID.cert.pem && chmod 600 var/aziot/secrets/IDevID.key.pem");
    assertThat(root.code()).as(root.describe()).isZero();

    EstuaryJar.Result r =
        EstuaryJar.run(
            c.dir(),
            "agent",
            "check",
            "-c",
            c.config().toString(),
            "--state-dir",
            c.dir().resolve("state").toString());

    assertThat(r.code()).as(r.describe()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            "✗ provisioning https://127.0.0.1:" + closed + ": unreachable: connection refused")
        .contains("/cacerts: connection refused")
        .doesNotContain("null");
  }

  @Test
  void statusWithNoArgumentsExitsZero() throws Exception {
    EstuaryJar.Result r =
        EstuaryJar.run(
            work, "agent", "status", "-c", work.resolve("no-such-config.toml").toString());

    assertThat(r.code()).as(r.describe()).isZero();
    assertThat(r.err().lines().toList()).hasSize(1);
    assertThat(r.err()).contains("showing the default state directory /var/lib/estuary");
  }
}
