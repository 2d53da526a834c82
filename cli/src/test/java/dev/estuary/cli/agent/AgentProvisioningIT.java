package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.provisioning.DpsClient;
import dev.estuary.cli.EstuaryJar;
import dev.estuary.server.testing.QuickstartServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, the agent side: with the seed's config.toml ({@code [provisioning] source = "dps"},
 * X.509 attestation) the agent registers with the quickstart's provisioning service once it has the
 * device identity and ends with an assignment; after a renewal it registers again and keeps the
 * hub; a re-registration that fails keeps the previous assignment and is retried until it succeeds.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AgentProvisioningIT {
  @TempDir Path work;

  @Test
  void theSeedConfigEndsWithAnAssignmentThatSurvivesAFailedReRegistration() throws Exception {
    try (QuickstartServer server = QuickstartServer.start(work.resolve("server"))) {
      Device device = Device.create(work.resolve("device"), server, UnaryOperator.identity());
      EstuaryJar.Result first = EstuaryJar.run(device.dir, device.agent("run", "--once"));
      assertThat(first.code()).as(first.describe()).isZero();
      JsonNode assigned = AgentState.read(device.state).path("provisioning");
      assertThat(assigned.path("status").asText()).isEqualTo("assigned");
      assertThat(assigned.path("assigned_hub").asText())
          .isEqualTo(server.info().get("iot_hub").asText());
      assertThat(assigned.path("device_id").asText()).isEqualTo("my-device-id");
      assertThat(assigned.path("substatus").asText()).isEqualTo("initialAssignment");
      assertThat(assigned.path("certificate_sha256").asText())
          .isEqualTo(DpsClient.thumbprint(device.leaf(EstCertificate.DEVICE_ID)));
      EstuaryJar.Result check = EstuaryJar.run(device.dir, device.agent("check"));
      assertThat(check.code()).as(check.describe()).isZero();
      assertThat(check.out())
          .contains(
              "✓ registration my-device-id: assigned to hub "
                  + assigned.path("assigned_hub").asText()
                  + " as device my-device-id");

      // The operator disables the enrollment group: the re-registration after a renewal is refused.
      AdminApi admin = new AdminApi(server);
      String group = "/api/v1/enrollment-groups/" + server.info().get("enrollment_group").asText();
      setGroupStatus(admin, group, "disabled");
      EstuaryJar.Result renew =
          EstuaryJar.run(device.dir, device.agent("renew", EstCertificate.DEVICE_ID, "--now"));
      assertThat(renew.code()).as("the renewal itself succeeded: " + renew.describe()).isZero();
      String renewed = DpsClient.thumbprint(device.leaf(EstCertificate.DEVICE_ID));
      JsonNode pending = AgentState.read(device.state).path("provisioning");
      assertThat(pending.path("last_error").asText()).contains("403").contains("403001");
      assertThat(pending.path("assigned_hub").asText())
          .as("the previous assignment stays")
          .isEqualTo(assigned.path("assigned_hub").asText());
      assertThat(pending.path("pending_certificate_sha256").asText()).isEqualTo(renewed);
      assertThat(renew.err())
          .contains("provisioning: registration attempt 1 failed")
          .contains("the device stays assigned to hub");
      EstuaryJar.Result warned = EstuaryJar.run(device.dir, device.agent("check"));
      assertThat(warned.out())
          .contains("! registration my-device-id")
          .contains("re-registration failing");

      // Enabled again: the daemon retries on its own and the device keeps its hub.
      setGroupStatus(admin, group, "enabled");
      Process daemon =
          EstuaryJar.start(device.dir.resolve("daemon.log"), List.of(), device.agent("run"));
      try {
        Awaitility.await("re-registered with the renewed certificate")
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    renewed.equals(
                        AgentState.read(device.state)
                            .path("provisioning")
                            .path("certificate_sha256")
                            .asText()));
      } finally {
        daemon.destroy();
        daemon.waitFor(20, TimeUnit.SECONDS);
      }
      JsonNode again = AgentState.read(device.state).path("provisioning");
      assertThat(again.path("status").asText()).isEqualTo("assigned");
      assertThat(again.path("assigned_hub").asText())
          .isEqualTo(assigned.path("assigned_hub").asText());
      assertThat(again.path("substatus").asText()).isEqualTo("reprovisionedToInitialAssignment");
      assertThat(again.has("last_error")).isFalse();
    }
  }

  private static void setGroupStatus(AdminApi admin, String path, String status) throws Exception {
    ObjectNode group = (ObjectNode) admin.json("GET", path, null);
    String etag = group.path("etag").asText();
    group.put("provisioningStatus", status);
    admin.json("PUT", path, group, "If-Match", etag);
  }
}
