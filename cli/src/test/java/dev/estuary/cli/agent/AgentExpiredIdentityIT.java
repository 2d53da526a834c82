package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.config.EstCertificate;
import dev.estuary.cli.EstuaryJar;
import dev.estuary.server.testing.QuickstartServer;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, point 3 (EST identity expired while the agent was off): the device-id label issues
 * 20-second certificates, so the EST identity and the device identity both expire while no agent
 * runs. The next run must recover through the bootstrap identity: a new EST identity, then a new
 * device identity authenticated with it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AgentExpiredIdentityIT {
  @TempDir Path work;

  @Test
  void anEstIdentityThatExpiredWhileTheAgentWasOffIsReplacedThroughTheBootstrapIdentity()
      throws Exception {
    try (QuickstartServer server =
        QuickstartServer.start(
            work.resolve("server"), t -> t.replace("validity = \"7d\"", "validity = \"20s\""))) {
      Device device = Device.create(work.resolve("device"), server, Device::bootstrap);
      EstuaryJar.Result first = EstuaryJar.run(device.dir, device.agent("run", "--once"));
      assertThat(first.code()).as(first.describe()).isZero();
      X509Certificate oldEstId = device.leaf(EstCertificate.EST_ID);

      Instant expired = oldEstId.getNotAfter().toInstant().plusSeconds(1);
      Thread.sleep(Math.max(0, Duration.between(Instant.now(), expired).toMillis()));
      assertThat(Instant.now()).isAfter(oldEstId.getNotAfter().toInstant());

      EstuaryJar.Result next = EstuaryJar.run(device.dir, device.agent("run", "--once"));
      assertThat(next.code()).as(next.describe()).isZero();
      assertThat(next.err())
          .contains("est-id is not valid now")
          .contains("authenticating with the bootstrap identity");
      X509Certificate newEstId = device.leaf(EstCertificate.EST_ID);
      assertThat(newEstId.getSerialNumber()).isNotEqualTo(oldEstId.getSerialNumber());
      assertThat(newEstId.getNotAfter().toInstant()).isAfter(Instant.now());
      device.assertChainsToRoot(device.chain(EstCertificate.DEVICE_ID));
      assertThat(device.leaf(EstCertificate.DEVICE_ID).getNotAfter().toInstant())
          .isAfter(Instant.now());
    }
  }
}
