package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.provisioning.DpsClient;
import dev.estuary.cli.EstuaryJar;
import dev.estuary.server.testing.QuickstartServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 3, points 2 and 3 (server down): the agent daemon (the jar, in a child process) against a
 * quickstart server whose device-id and edge-ca labels issue two-minute certificates, with the
 * seed's {@code threshold = "80%"} and a bootstrap identity so that all three credentials are
 * obtained over EST. Bounded: each test waits at most a few minutes of real time.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@Execution(ExecutionMode.CONCURRENT)
class AgentRenewalIT {
  static final List<String> IDS =
      List.of(EstCertificate.EST_ID, EstCertificate.DEVICE_ID, EstCertificate.EDGE_CA);

  @TempDir Path work;

  static String twoMinuteLabels(String toml) {
    return toml.replace("validity = \"7d\"", "validity = \"2m\"")
        .replace("validity = \"30d\"", "validity = \"2m\"");
  }

  @Test
  void theDaemonRenewsEachCredentialWithinItsWindowWithANewKey() throws Exception {
    try (QuickstartServer server =
        QuickstartServer.start(work.resolve("server"), AgentRenewalIT::twoMinuteLabels)) {
      Device device = Device.create(work.resolve("device"), server, Device::bootstrap);
      Process daemon =
          EstuaryJar.start(device.dir.resolve("daemon.log"), List.of(), device.agent("run"));
      try {
        Map<String, First> first = awaitFirstIssuance(device);
        for (String id : IDS) {
          First f = first.get(id);
          Awaitility.await(id + " renewed")
              .atMost(Duration.between(Instant.now(), f.notAfter).plusSeconds(5))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> renewalRecorded(device, id, f));
          X509Certificate renewed = device.leaf(id);
          Instant renewedAt =
              AgentState.instant(AgentState.credential(device.state, id), "last_attempt")
                  .orElseThrow();
          assertThat(renewedAt)
              .as(id + ": renewed no earlier than its renewal time")
              .isAfterOrEqualTo(f.renewalTime);
          assertThat(renewedAt)
              .as(id + ": renewed before the old certificate expired")
              .isBefore(f.notAfter);
          assertThat(renewed.getPublicKey())
              .as(id + ": rotate_key gives a new key")
              .isNotEqualTo(f.leaf.getPublicKey());
          assertThat(renewed.getSubjectX500Principal()).isEqualTo(f.leaf.getSubjectX500Principal());
          device.assertChainsToRoot(device.chain(id));
        }
        // Each device identity renewal (waited for above) is followed by a registration that keeps
        // the hub.
        Awaitility.await("re-registered with the renewed device identity")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    DpsClient.thumbprint(device.leaf(EstCertificate.DEVICE_ID))
                        .equals(
                            AgentState.read(device.state)
                                .path("provisioning")
                                .path("certificate_sha256")
                                .asText()));
        JsonNode provisioning = AgentState.read(device.state).path("provisioning");
        assertThat(provisioning.path("assigned_hub").asText())
            .isEqualTo(server.info().get("iot_hub").asText());
        assertThat(provisioning.path("substatus").asText())
            .isEqualTo("reprovisionedToInitialAssignment");
      } finally {
        daemon.destroy();
        daemon.waitFor(20, TimeUnit.SECONDS);
      }
      // After the rotation the key on disk is the one the certificate certifies.
      EstuaryJar.Result once = EstuaryJar.run(device.dir, device.agent("run", "--once"));
      assertThat(once.code()).as(once.describe()).isZero();
    }
  }

  @Test
  void aServerDownDuringTheRenewalWindowIsRetriedAndTheRenewalLandsBeforeExpiry() throws Exception {
    try (QuickstartServer server =
        QuickstartServer.start(work.resolve("server"), AgentRenewalIT::twoMinuteLabels)) {
      Device device = Device.create(work.resolve("device"), server, Device::bootstrap);
      Path log = device.dir.resolve("daemon.log");
      Process daemon = EstuaryJar.start(log, List.of(), device.agent("run"));
      try {
        Map<String, First> first = awaitFirstIssuance(device);
        server.stop();
        First deviceId = first.get(EstCertificate.DEVICE_ID);
        // Down until the device identity has been tried and failed inside its window.
        Awaitility.await("a failed attempt while the server is down")
            .atMost(Duration.between(Instant.now(), deviceId.notAfter))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    AgentState.credential(device.state, EstCertificate.DEVICE_ID)
                            .path("consecutive_failures")
                            .asInt()
                        > 0);
        JsonNode failed = AgentState.credential(device.state, EstCertificate.DEVICE_ID);
        assertThat(failed.path("last_error").asText())
            .contains("server unreachable")
            .contains("connection refused");
        assertThat(Files.readString(log))
            .contains("device-id: renewal attempt 1 failed, server unreachable");
        server.resume();
        Awaitility.await("renewed after the server came back")
            .atMost(Duration.between(Instant.now(), deviceId.notAfter))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> renewalRecorded(device, EstCertificate.DEVICE_ID, deviceId));
        assertThat(
                AgentState.instant(
                        AgentState.credential(device.state, EstCertificate.DEVICE_ID),
                        "last_attempt")
                    .orElseThrow())
            .isBefore(deviceId.notAfter);
        assertThat(device.leaf(EstCertificate.DEVICE_ID).getNotAfter().toInstant())
            .isAfter(deviceId.notAfter);
      } finally {
        daemon.destroy();
        daemon.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * A credential as first issued: its certificate, file fingerprint, schedule and when it was
   * obtained.
   */
  record First(
      X509Certificate leaf,
      String fingerprint,
      Instant renewalTime,
      Instant notAfter,
      Instant obtainedAt) {}

  /** A later attempt is in the state file, it succeeded, and the certificate file changed. */
  private static boolean renewalRecorded(Device device, String id, First f) throws Exception {
    JsonNode c = AgentState.credential(device.state, id);
    return AgentState.instant(c, "last_attempt").map(t -> t.isAfter(f.obtainedAt)).orElse(false)
        && "renewed".equals(c.path("last_outcome").asText())
        && !device.fingerprint(id).equals(f.fingerprint);
  }

  private static Map<String, First> awaitFirstIssuance(Device device) throws Exception {
    Awaitility.await("first issuance of all three")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              for (String id : IDS) {
                if (AgentState.credential(device.state, id).path("renewal_time").isMissingNode()
                    || AgentState.credential(device.state, id).path("renewal_time").isNull()) {
                  return false;
                }
              }
              return true;
            });
    Map<String, First> first = new HashMap<>();
    for (String id : IDS) {
      JsonNode c = AgentState.credential(device.state, id);
      X509Certificate leaf = device.leaf(id);
      first.put(
          id,
          new First(
              leaf,
              device.fingerprint(id),
              AgentState.instant(c, "renewal_time").orElseThrow(),
              leaf.getNotAfter().toInstant(),
              AgentState.instant(c, "last_attempt").orElseThrow()));
    }
    return first;
  }
}
