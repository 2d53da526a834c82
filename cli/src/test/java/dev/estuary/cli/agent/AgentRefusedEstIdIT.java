package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.agent.config.EstCertificate;
import dev.estuary.cli.EstuaryJar;
import dev.estuary.server.testing.QuickstartServer;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 1: the server refuses the EST identity (here: the operator revoked it; the server
 * answers 401). The agent falls back to its bootstrap identity at once, as when the EST identity
 * has expired, obtains a new EST identity with it, and the device identity is then renewed with
 * that one — against the real server.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AgentRefusedEstIdIT {
  @TempDir Path work;

  @Test
  void aRefusedEstIdentityIsReplacedThroughTheBootstrapIdentity() throws Exception {
    try (QuickstartServer server = QuickstartServer.start(work.resolve("server"))) {
      Device device = Device.create(work.resolve("device"), server, Device::bootstrap);
      EstuaryJar.Result first = EstuaryJar.run(device.dir, device.agent("run", "--once"));
      assertThat(first.code()).as(first.describe()).isZero();
      X509Certificate refused = device.leaf(EstCertificate.EST_ID);
      new AdminApi(server)
          .json(
              "POST",
              "/api/v1/certificates/" + refused.getSerialNumber().toString(16) + "/revoke",
              new ObjectMapper().createObjectNode().put("reason", "keyCompromise"));

      EstuaryJar.Result renewEstId =
          EstuaryJar.run(device.dir, device.agent("renew", EstCertificate.EST_ID, "--now"));

      assertThat(renewEstId.code()).as(renewEstId.describe()).isZero();
      assertThat(renewEstId.err())
          .contains(
              "est-id (serial "
                  + refused.getSerialNumber().toString(16)
                  + ") was refused by the server")
          .contains("authenticating with the bootstrap identity");
      X509Certificate replacement = device.leaf(EstCertificate.EST_ID);
      assertThat(replacement.getSerialNumber()).isNotEqualTo(refused.getSerialNumber());
      device.assertChainsToRoot(device.chain(EstCertificate.EST_ID));

      EstuaryJar.Result renewDeviceId =
          EstuaryJar.run(device.dir, device.agent("renew", EstCertificate.DEVICE_ID, "--now"));
      assertThat(renewDeviceId.code()).as(renewDeviceId.describe()).isZero();
      assertThat(renewDeviceId.err()).doesNotContain("was refused");
      device.assertChainsToRoot(device.chain(EstCertificate.DEVICE_ID));

      EstuaryJar.Result check = EstuaryJar.run(device.dir, device.agent("check"));
      assertThat(check.code()).as(check.describe()).isZero();
    }
  }
}
