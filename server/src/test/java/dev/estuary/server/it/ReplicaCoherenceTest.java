package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.estuary.pki.Certificates;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.revocation.PublishedCa;
import dev.estuary.server.store.CaCertificateRecord;
import dev.estuary.server.store.ChangeFeed;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.Replicas;
import dev.estuary.server.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas (two {@code EstuaryServer}s with the same keys) on one real PostgreSQL, real TLS on
 * loopback: what an operator changes through replica A's admin API is refused by replica B within
 * one second (a correctness bound: the change feed's NOTIFY, or its counter poll when the LISTEN
 * connection is gone), and B's CRL lists a revocation made on A within five seconds.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ReplicaCoherenceTest {
  static final Duration BOUND = Duration.ofSeconds(1);
  static final AtomicInteger NEXT = new AtomicInteger();

  @TempDir static Path tmp;
  static Replicas replicas;
  static QuickstartServer a;
  static QuickstartServer b;
  static Dps dpsA;
  static Dps dpsB;
  static String secret;

  @BeforeAll
  static void start() throws Exception {
    replicas = Replicas.start(tmp, 2);
    a = replicas.get(0);
    b = replicas.get(1);
    dpsA = new Dps(a);
    dpsB = new Dps(b);
    secret = mintSecret();
    // the provisioning setup the quickstart made in its H2 file, here in the shared database
    X509Certificate deviceIdCa = a.server().labels().get("device-id").ca().certificate();
    Instant now = Instant.now();
    a.server()
        .enrollments()
        .createCaCertificate(
            new CaCertificateRecord(
                "device-id-ca",
                Certificates.der(deviceIdCa),
                deviceIdCa.getSubjectX500Principal().getName(),
                Thumbprints.sha256(deviceIdCa),
                true,
                null,
                UUID.randomUUID().toString(),
                now,
                now));
    assertThat(dpsA.admin("PUT", "/api/v1/hubs/replica-hub.estuary.local", "{}").status())
        .isEqualTo(200);
  }

  @AfterAll
  static void stop() throws Exception {
    if (replicas != null) {
      replicas.close();
    }
  }

  @Test
  void aCertificateRevokedOnAIsRefusedByBWithinOneSecondAndBsCrlListsIt() throws Exception {
    String id = "coh-revoked-" + NEXT.incrementAndGet();
    EstEnrollment.Enrolled device = deviceId(a, id);
    enrollIndividually(id);
    HttpClient onB = Est.client(b.root(), device.chain(), device.key().getPrivate());
    assertThat(reenroll(b, onB, id).status()).as("before: B renews it").isEqualTo(200);
    assertThat(dpsB.register(dpsB.device(device), id, "{}").status()).isEqualTo(202);
    String serial = device.leaf().getSerialNumber().toString(16);

    assertThat(dpsA.admin("POST", "/api/v1/certificates/" + serial + "/revoke", "{}").status())
        .isEqualTo(200);

    await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> List.of(401, 403).contains(reenroll(b, onB, id).status()));
    await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> dpsB.register(dpsB.device(device), id, "{}").status() == 401);
    // B's CRL for the issuing CA lists it (anyone fetching it from B learns it)
    String caId = PublishedCa.of(b.server().labels().get("device-id").ca()).id();
    HttpClient anonymous = Est.client(b.root());
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                crl(anonymous, b, caId).getRevokedCertificate(device.leaf().getSerialNumber())
                    != null);
  }

  @Test
  void aDeviceDisabledOnAIsRefusedByBWithinOneSecond() throws Exception {
    String id = "coh-disabled-" + NEXT.incrementAndGet();
    EstEnrollment.Enrolled device = deviceId(a, id);
    enrollIndividually(id);
    HttpClient onB = Est.client(b.root(), device.chain(), device.key().getPrivate());
    assertThat(reenroll(b, onB, id).status()).as("before: B renews it").isEqualTo(200);
    assertThat(dpsB.register(dpsB.device(device), id, "{}").status()).isEqualTo(202);

    assertThat(dpsA.admin("POST", "/api/v1/devices/" + id + "/disable", "{}").status())
        .isEqualTo(200);

    await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> reenroll(b, onB, id).status() == 401);
    await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> dpsB.register(dpsB.device(device), id, "{}").status() == 403);
  }

  @Test
  void aSecretDisabledOnAIsRefusedByBWithinOneSecond() throws Exception {
    String mine = mintSecret();
    HttpClient onB = Est.client(b.root());
    assertThat(idevidEnroll(b, onB, mine).status()).as("before: B takes it").isEqualTo(200);
    String secretId = mine.substring(0, mine.indexOf('.'));

    assertThat(dpsA.admin("POST", "/api/v1/secrets/" + secretId + "/disable", "{}").status())
        .isEqualTo(200);

    await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> idevidEnroll(b, onB, mine).status() == 401);
  }

  @Test
  void aBasicUserDisabledOnAIsRefusedByBWithinOneSecondThoughBCachedIt() throws Exception {
    String name = "coh-user-" + NEXT.incrementAndGet();
    Dps.Reply created =
        dpsA.admin(
            "POST", "/api/v1/basic-users", "{\"username\":\"" + name + "\",\"label\":\"idevid\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (name + ":" + created.json().get("password").asText())
                        .getBytes(StandardCharsets.UTF_8));
    HttpClient onB = Est.client(b.root());
    // B reads (and caches) the user
    assertThat(basicEnroll(b, onB, basic).status()).as("before: B takes it").isEqualTo(200);
    assertThat(basicEnroll(b, onB, basic).status()).isEqualTo(200);

    assertThat(dpsA.admin("POST", "/api/v1/basic-users/" + name + "/disable", null).status())
        .isEqualTo(200);

    await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> basicEnroll(b, onB, basic).status() == 401);
  }

  @Test
  void anAdminTokenRevokedOnAIsRefusedByBWithinOneSecond() throws Exception {
    Dps.Reply created =
        dpsA.admin("POST", "/api/v1/tokens", "{\"role\":\"admin\",\"name\":\"coherence\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    String token = created.json().get("token").asText();
    String tokenId = created.json().get("id").asText();
    HttpClient admin = Est.client(b.root());
    assertThat(adminGet(admin, b, token, "/api/v1/tokens")).as("before").isEqualTo(200);

    assertThat(dpsA.admin("POST", "/api/v1/tokens/" + tokenId + "/revoke", "{}").status())
        .isEqualTo(200);

    await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> adminGet(admin, b, token, "/api/v1/tokens") == 401);
  }

  @Test
  void anEnrollmentDeletedOnAIsRefusedByBWithinOneSecondThoughBCachedIt() throws Exception {
    String id = "coh-enrollment-" + NEXT.incrementAndGet();
    EstEnrollment.Enrolled device = deviceId(a, id);
    enrollIndividually(id);
    HttpClient client = dpsB.device(device);
    // B reads (and caches) the enrollment
    assertThat(dpsB.register(client, id, "{}").status()).isEqualTo(202);
    assertThat(dpsB.register(client, id, "{}").status()).isEqualTo(202);

    assertThat(dpsA.admin("DELETE", "/api/v1/individual-enrollments/" + id, null).status())
        .isIn(200, 204);

    await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> dpsB.register(client, id, "{}").status() != 202);
    assertThat(dpsB.register(client, id, "{}").status()).isIn(401, 403, 404);
  }

  @Test
  void withTheListenConnectionsKilledInvalidationStillArrivesAndTheListenerComesBack()
      throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> b.server().changes().listening());
    String id = "coh-killed-" + NEXT.incrementAndGet();
    EstEnrollment.Enrolled device = deviceId(a, id);
    enrollIndividually(id);
    HttpClient client = dpsB.device(device);
    assertThat(dpsB.register(client, id, "{}").status()).isEqualTo(202);

    assertThat(terminateListeners()).as("both replicas' LISTEN connections").isEqualTo(2);
    assertThat(dpsA.admin("DELETE", "/api/v1/individual-enrollments/" + id, null).status())
        .isIn(200, 204);

    await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> dpsB.register(client, id, "{}").status() != 202);

    // The listener reconnects by itself, and notifications reach it again.
    ChangeFeed feed = b.server().changes();
    await().atMost(Duration.ofSeconds(15)).until(feed::listening);
    long before = feed.notifications();
    enrollIndividually(id);
    await().atMost(BOUND).until(() -> feed.notifications() > before);
    await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> dpsB.register(client, id, "{}").status() == 202);
  }

  // --- helpers ---

  /** Kills the change feeds' LISTEN connections; how many there were. */
  static int terminateListeners() throws Exception {
    try (Connection c = replicas.postgres().running().getPostgresDatabase().getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE application_name = 'estuary-change-feed'")) {
      int n = 0;
      while (rs.next()) {
        if (rs.getBoolean(1)) {
          n++;
        }
      }
      return n;
    }
  }

  static String mintSecret() throws Exception {
    Dps.Reply r = dpsA.admin("POST", "/api/v1/secrets", "{\"label\":\"idevid\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("secret").asText();
  }

  static void enrollIndividually(String id) throws Exception {
    Dps.Reply put =
        dpsA.admin(
            "PUT",
            "/api/v1/individual-enrollments/" + id,
            "{\"attestation\":{\"type\":\"x509\",\"x509\":{\"caReferences\":{\"primary\":\"device-id-ca\"}}},"
                + "\"allocationPolicy\":\"static\",\"iotHubs\":[\"replica-hub.estuary.local\"]}");
    assertThat(put.status()).as(put.body()).isEqualTo(200);
  }

  static Est.Reply idevidEnroll(QuickstartServer s, HttpClient client, String withSecret)
      throws Exception {
    return idevidEnroll(s, client, "Secret-Value", withSecret);
  }

  static Est.Reply basicEnroll(QuickstartServer s, HttpClient client, String authorization)
      throws Exception {
    return idevidEnroll(s, client, "Authorization", authorization);
  }

  /** An enrollment on replica {@code s}'s idevid label, authenticated by one header. */
  static Est.Reply idevidEnroll(QuickstartServer s, HttpClient client, String header, String value)
      throws Exception {
    return Est.enroll(
        client,
        s.labelUrl("idevid") + "simpleenroll",
        TestPki.csr(TestPki.key("ec-p256"), "CN=coh-idevid-" + NEXT.incrementAndGet()),
        header,
        value);
  }

  /** A device-id certificate from replica {@code s}, by way of an IDevID. */
  static EstEnrollment.Enrolled deviceId(QuickstartServer s, String cn) throws Exception {
    KeyPair idKey = TestPki.key("ec-p256");
    Est.Reply birth =
        Est.enroll(
            Est.client(s.root()),
            s.labelUrl("idevid") + "simpleenroll",
            TestPki.csr(idKey, "CN=" + cn),
            "Secret-Value",
            secret);
    assertThat(birth.status()).as(birth.text()).isEqualTo(200);
    EstEnrollment.Enrolled idevid = new EstEnrollment.Enrolled(idKey, birth.certificates());
    KeyPair key = TestPki.key("ec-p256");
    Est.Reply r =
        Est.enroll(
            Est.client(s.root(), idevid.chain(), idKey.getPrivate()),
            s.labelUrl("device-id") + "simpleenroll",
            TestPki.csr(key, "CN=" + cn));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return new EstEnrollment.Enrolled(key, r.certificates());
  }

  static Est.Reply reenroll(QuickstartServer s, HttpClient client, String cn) throws Exception {
    return Est.enroll(
        client,
        s.labelUrl("device-id") + "simplereenroll",
        TestPki.csr(TestPki.key("ec-p256"), "CN=" + cn));
  }

  static int adminGet(HttpClient client, QuickstartServer s, String token, String path)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(s.adminUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static X509CRL crl(HttpClient client, QuickstartServer s, String caId) throws Exception {
    Est.Reply r = Est.get(client, "https://localhost:" + s.estPort() + "/pki/crl/" + caId + ".crl");
    assertThat(r.status()).isEqualTo(200);
    return (X509CRL)
        CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(r.body()));
  }
}
