package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.est.EstClient;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.store.CertificateFiles;
import dev.estuary.agent.store.TrustStore;
import dev.estuary.cli.EstuaryJar;
import dev.estuary.pki.Pem;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.testing.QuickstartServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, must-hold 2: real agents (the jar) renew against a real quickstart server across an
 * issuing-CA roll and a root roll. The device identities are short-lived (120 s) so that one device
 * can miss the whole overlap. The server is not restarted for roll, roll-root and switch-root: it
 * takes each up by itself while it serves.
 *
 * <ul>
 *   <li>Device A renews after each step: its EST identity from the old issuing CA authenticates the
 *       renewal, its new certificates come from the new generation, DPS still admits it under the
 *       group that names the old issuing CA; after roll-root its trust store gains the new root
 *       through the NewWithOld link in cacerts; after switch-root its certificates chain to the new
 *       root.
 *   <li>Device B (the same IDevID, its own state directory) runs once at the start and then not
 *       until everything it had expired, the old issuing CA is retired and the server's TLS
 *       certificate is under the new root: it trusts only the old root, yet verifies the server
 *       through the link in the TLS chain, recovers through its bootstrap identity (IDevID) and
 *       gains the new root.
 * </ul>
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AgentRolloverIT {
  /** How long a running server may take to take up a rollover command (it looks every second). */
  private static final Duration TAKEN_UP = Duration.ofSeconds(15);

  @TempDir Path work;

  @Test
  void agentsFollowAnIssuingCaRollAndARootRollAndOneThatMissedTheOverlapRecovers()
      throws Exception {
    try (QuickstartServer server =
        QuickstartServer.start(
            work.resolve("server"), t -> t.replace("validity = \"7d\"", "validity = \"120s\""))) {
      Device device = Device.create(work.resolve("device"), server, Device::bootstrap);
      Path stateA = device.state;
      Path stateB = device.dir.resolve("state-b");
      X509Certificate oldRoot = server.root();
      String data = server.dataDir().toString();

      ok(device, agent(device, stateA, "run", "--once"));
      ok(device, agent(device, stateB, "run", "--once"));
      X509Certificate estIdA = leaf(stateA, EstCertificate.EST_ID);
      X509Certificate bEstId = leaf(stateB, EstCertificate.EST_ID);
      X509Certificate bDeviceId = leaf(stateB, EstCertificate.DEVICE_ID);
      String gen1 = leaf(stateA, EstCertificate.DEVICE_ID).getIssuerX500Principal().getName();

      // 1. Issuing-CA roll of device-id: the old generation keeps renewing what it issued.
      EstuaryJar.Result rolled =
          EstuaryJar.run(work, "server", "ca", "roll", "--label", "device-id", "--data-dir", data);
      assertThat(rolled.code()).as(rolled.describe()).isZero();
      assertThat(rolled.out()).contains("device-id-ca.g2");
      // No restart: the running server takes the rolled keystore up by itself within seconds.
      await()
          .atMost(TAKEN_UP)
          .until(
              () ->
                  caCerts(server, oldRoot, "device-id").stream()
                      .anyMatch(c -> c.getSubjectX500Principal().getName().contains("G2")));
      List<X509Certificate> caCerts = caCerts(server, oldRoot, "device-id");
      assertThat(caCerts.stream().map(c -> c.getSubjectX500Principal().getName()))
          .as("cacerts carries both generations during the overlap")
          .contains(gen1)
          .anyMatch(n -> n.contains("device-id CA G2"));

      EstuaryJar.Result renewed = agent(device, stateA, "renew", "--now");
      ok(device, renewed);
      assertThat(renewed.err())
          .as("the EST identity from the old generation authenticated the renewal")
          .doesNotContain("bootstrap identity");
      X509Certificate deviceIdA = leaf(stateA, EstCertificate.DEVICE_ID);
      assertThat(deviceIdA.getIssuerX500Principal().getName()).contains("device-id CA G2");
      assertThat(leaf(stateA, EstCertificate.EST_ID).getSerialNumber())
          .isNotEqualTo(estIdA.getSerialNumber());
      JsonNode provisioning = AgentState.read(stateA).path("provisioning");
      assertThat(provisioning.path("status").asText())
          .as("the enrollment group naming the old issuing CA admits the new one's certificate")
          .isEqualTo("assigned");
      assertThat(provisioning.path("certificate_sha256").asText())
          .isEqualToIgnoringCase(Thumbprints.sha256(deviceIdA));
      assertThat(provisioning.has("last_error")).isFalse();

      // 2. Root roll: cacerts carries the root key update certificates; A learns the new root.
      EstuaryJar.Result rootRolled =
          EstuaryJar.run(work, "server", "ca", "roll-root", "--data-dir", data);
      assertThat(rootRolled.code()).as(rootRolled.describe()).isZero();
      await()
          .atMost(TAKEN_UP)
          .until(
              () ->
                  caCerts(server, oldRoot, "device-id").stream()
                          .filter(
                              c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal()))
                          .count()
                      == 2);
      List<X509Certificate> update = caCerts(server, oldRoot, "device-id");
      X509Certificate newRoot =
          update.stream()
              .filter(c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal()))
              .filter(c -> !c.equals(oldRoot))
              .findFirst()
              .orElseThrow();
      assertThat(update.getFirst()).as("the root of the issuing CA stays first").isEqualTo(oldRoot);
      assertThat(update)
          .as("OldWithNew and NewWithOld")
          .anyMatch(
              c ->
                  c.getSubjectX500Principal().equals(oldRoot.getSubjectX500Principal())
                      && c.getIssuerX500Principal().equals(newRoot.getSubjectX500Principal()))
          .anyMatch(
              c ->
                  c.getSubjectX500Principal().equals(newRoot.getSubjectX500Principal())
                      && c.getIssuerX500Principal().equals(oldRoot.getSubjectX500Principal()));
      assertThat(TrustStore.read(stateA.resolve(TrustStore.FILE))).isEmpty();

      EstuaryJar.Result learned = agent(device, stateA, "renew", "--now");
      ok(device, learned);
      assertThat(learned.err()).contains("trusting the new root");
      assertThat(TrustStore.read(stateA.resolve(TrustStore.FILE)))
          .as("A's trust store gained the new root through the link certificate")
          .containsExactly(newRoot);
      EstuaryJar.Result status = agent(device, stateA, "status");
      assertThat(status.out())
          .contains("trusted roots")
          .contains("configured    " + oldRoot.getSubjectX500Principal().getName())
          .contains("added         " + newRoot.getSubjectX500Principal().getName());

      // 3. Switch: the issuing CAs and the TLS certificate move under the new root.
      EstuaryJar.Result switched =
          EstuaryJar.run(work, "server", "ca", "switch-root", "--data-dir", data);
      assertThat(switched.code()).as(switched.describe()).isZero();
      await()
          .atMost(TAKEN_UP)
          .until(
              () ->
                  caCerts(server, oldRoot, "device-id").stream()
                      .anyMatch(c -> c.getSubjectX500Principal().getName().contains("G3")));
      ok(device, agent(device, stateA, "renew", "--now"));
      List<X509Certificate> chainA = chain(stateA, EstCertificate.DEVICE_ID);
      assertChainsTo(chainA, newRoot);
      assertThat(chainA.getFirst().getIssuerX500Principal().getName()).contains("device-id CA G3");
      assertThat(AgentState.read(stateA).path("provisioning").path("status").asText())
          .isEqualTo("assigned");
      assertThat(AgentState.read(stateA).path("provisioning").has("last_error")).isFalse();

      // 4. B missed the overlap: wait until what it holds has expired, retire the old issuing CA.
      Instant expired =
          latest(bEstId, bDeviceId).getNotAfter().toInstant().plus(Duration.ofSeconds(2));
      Thread.sleep(Math.max(0, Duration.between(Instant.now(), expired).toMillis()));
      server.stop();
      EstuaryJar.Result retired =
          EstuaryJar.run(
              work, "server", "ca", "retire", "--alias", "device-id-ca", "--data-dir", data);
      assertThat(retired.code()).as(retired.describe()).isZero();
      EstuaryJar.Result rootKept =
          EstuaryJar.run(work, "server", "ca", "retire-root", "--data-dir", data);
      assertThat(rootKept.code()).as(rootKept.describe()).isEqualTo(1);
      assertThat(rootKept.err())
          .as("the old root is kept while the IDevID CA under it is valid, and says so")
          .contains("is not retired")
          .contains("'idevid-ca'");
      server.resume();

      assertThat(TrustStore.read(stateB.resolve(TrustStore.FILE))).isEmpty();
      EstuaryJar.Result recovered = agent(device, stateB, "run", "--once");
      ok(device, recovered);
      assertThat(recovered.err())
          .contains("est-id is not valid now")
          .contains("authenticating with the bootstrap identity")
          .contains("trusting the new root");
      assertThat(TrustStore.read(stateB.resolve(TrustStore.FILE))).containsExactly(newRoot);
      assertChainsTo(chain(stateB, EstCertificate.DEVICE_ID), newRoot);
      assertThat(leaf(stateB, EstCertificate.DEVICE_ID).getNotAfter().toInstant())
          .isAfter(Instant.now());
    }
  }

  private static X509Certificate latest(X509Certificate a, X509Certificate b) {
    return a.getNotAfter().after(b.getNotAfter()) ? a : b;
  }

  private static void ok(Device device, EstuaryJar.Result r) {
    assertThat(r.code()).as(r.describe()).isZero();
  }

  private static EstuaryJar.Result agent(Device device, Path stateDir, String... command)
      throws Exception {
    String[] args = device.agent(command);
    args[args.length - 1] = stateDir.toString();
    return EstuaryJar.run(device.dir, args);
  }

  private static List<X509Certificate> chain(Path stateDir, String id) throws Exception {
    return Pem.certificates(Files.readString(CertificateFiles.path(stateDir.resolve("certs"), id)));
  }

  private static X509Certificate leaf(Path stateDir, String id) throws Exception {
    return chain(stateDir, id).getFirst();
  }

  /** cacerts on the wire, trusting the old root only (as a device that never learned the new). */
  private static List<X509Certificate> caCerts(
      QuickstartServer server, X509Certificate trusted, String label) throws Exception {
    EstClient est = new EstClient(List.of(trusted), Duration.ofSeconds(20), Clock.systemUTC());
    return est.caCerts(URI.create(server.labelUrl(label)), EstIdentity.basicOnly(Optional.empty()));
  }

  private static void assertChainsTo(List<X509Certificate> chain, X509Certificate root)
      throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    List<X509Certificate> path = new ArrayList<>(chain);
    path.remove(root);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
  }
}
