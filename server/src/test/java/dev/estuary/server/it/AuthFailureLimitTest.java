package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.pki.IssuingCa;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.EstEnrollment.Enrolled;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credential guessing is slowed: past the per-minute limit of failed authentications, 429 +
 * Retry-After. Every test shares one server and one address (127.0.0.1), whose address-wide bound
 * is ten times the per-credential one (30 here): the tests together stay below it.
 */
@Timeout(120)
class AuthFailureLimitTest {
  @TempDir static Path tmp;
  static QuickstartServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        QuickstartServer.start(
            tmp.resolve("data"),
            t ->
                t.replace(
                    "default_label = \"idevid\"",
                    "default_label = \"idevid\"\nauth_failures_per_minute = 3"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void wrongPasswordsPastTheLimitAreAnswered429WithRetryAfterAndNothingIsIssued() throws Exception {
    HttpClient client = Est.client(server.root());
    byte[] csr = TestPki.csr(TestPki.key("ec-p256"), "CN=guesser");
    String url = server.estUrl() + "/simpleenroll";
    String bareUrl = server.estUrl() + "/idevid/simpleenroll";
    long before = server.server().certificates().count();

    Est.Reply challenge = Est.enroll(client, bareUrl, csr);
    assertThat(challenge.status()).as("a bare challenge is not a failure").isEqualTo(401);
    for (int i = 0; i < 3; i++) {
      assertThat(
              Est.enroll(client, url, csr, "Authorization", Est.basic("estuary", "guess-" + i))
                  .status())
          .isEqualTo(401);
    }
    Est.Reply limited =
        Est.enroll(client, url, csr, "Authorization", Est.basic("estuary", "guess-4"));
    Est.Reply evenTheRightOne =
        Est.enroll(
            client,
            url,
            csr,
            "Authorization",
            Est.basic(server.basicUsername(), server.basicPassword()));

    assertThat(limited.status()).isEqualTo(429);
    assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
        .isBetween(1L, 60L);
    assertThat(limited.text()).contains("too many failed authentications");
    assertThat(evenTheRightOne.status()).isEqualTo(429);
    assertThat(Est.get(client, server.estUrl() + "/cacerts").status())
        .as("cacerts needs no credentials")
        .isEqualTo(200);
    assertThat(server.server().certificates().count()).isEqualTo(before);
  }

  /**
   * Issue 10: the limit keys on address + credential id, so one device's guesses do not lock out
   * its NAT neighbours.
   */
  @Test
  void anotherCredentialFromTheSameAddressIsNotLockedOut() throws Exception {
    HttpClient client = Est.client(server.root());
    String url = server.estUrl() + "/idevid/simpleenroll";
    for (int i = 0; i < 3; i++) {
      byte[] csr = TestPki.csr(TestPki.key("ec-p256"), "CN=nat-guesser");
      assertThat(
              Est.enroll(client, url, csr, "Authorization", Est.basic("nat-guesser", "guess-" + i))
                  .status())
          .isEqualTo(401);
    }
    byte[] csr = TestPki.csr(TestPki.key("ec-p256"), "CN=nat-guesser");
    assertThat(
            Est.enroll(client, url, csr, "Authorization", Est.basic("nat-guesser", "guess-3"))
                .status())
        .isEqualTo(429);

    Est.Reply neighbour =
        Est.enroll(
            client,
            url,
            TestPki.csr(TestPki.key("ec-p256"), "CN=nat-neighbour"),
            "Secret-Value",
            server.factorySecret());
    assertThat(neighbour.status()).as("%s", neighbour).isEqualTo(200);
  }

  /** A right secret that is used up is no guess: refused 401 "used up" every time, never 429. */
  @Test
  void usedUpSecretRefusalsDoNotCountAsFailures() throws Exception {
    HttpClient client = Est.client(server.root());
    String url = server.estUrl() + "/idevid/simpleenroll";
    String once = server.server().minter().bootstrapSecret("idevid", 1, null).value();
    assertThat(
            Est.enroll(
                    client,
                    url,
                    TestPki.csr(TestPki.key("ec-p256"), "CN=once-0"),
                    "Secret-Value",
                    once)
                .status())
        .isEqualTo(200);
    for (int i = 1; i <= 6; i++) {
      Est.Reply r =
          Est.enroll(
              client,
              url,
              TestPki.csr(TestPki.key("ec-p256"), "CN=once-" + i),
              "Secret-Value",
              once);
      assertThat(r.status()).as("attempt %d: %s", i, r).isEqualTo(401);
      assertThat(r.text()).contains("used up");
    }
  }

  /**
   * A client certificate from no trusted issuer is what anyone can make: it counts like a wrong
   * password, per certificate, so past the limit the forger is answered 429 before its request
   * reaches a store worker, while a genuine device from the same address still enrolls.
   */
  @Test
  void forgedClientCertificatesPastTheLimitAre429AndAGenuineNeighbourStillEnrolls()
      throws Exception {
    Enrolled forged = stranger("forger");
    String url = server.labelUrl("device-id") + "simpleenroll";
    byte[] csr = TestPki.csr(forged.key(), "CN=forger");
    long before = server.server().certificates().count();
    try (HttpClient client = Est.client(server.root(), forged.chain(), forged.key().getPrivate())) {
      for (int i = 0; i < 3; i++) {
        Est.Reply r = Est.enroll(client, url, csr);
        assertThat(r.status()).as("attempt %d: %s", i, r).isEqualTo(401);
        assertThat(r.text()).contains("not issued by a CA trusted here");
      }
      Est.Reply limited = Est.enroll(client, url, csr);
      assertThat(limited.status()).as("%s", limited).isEqualTo(429);
      assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
          .isBetween(1L, 60L);
    }
    Enrolled idevid = EstEnrollment.idevid(server, "forger-neighbour");
    try (HttpClient client = Est.client(server.root(), idevid.chain(), idevid.key().getPrivate())) {
      Est.Reply neighbour =
          Est.enroll(client, url, TestPki.csr(TestPki.key("ec-p256"), "CN=forger-neighbour"));
      assertThat(neighbour.status()).as("%s", neighbour).isEqualTo(200);
    }
    assertThat(server.server().certificates().count())
        .as("only the neighbour's certificate (and its IDevID) were issued")
        .isEqualTo(before + 2);
  }

  /**
   * A genuine certificate refused for its date is no forgery: a device whose clock or certificate
   * went wrong keeps getting its reason, 401 "expired", never 429.
   */
  @Test
  void anExpiredGenuineClientCertificateIsNotCounted() throws Exception {
    IssuingCa idevidCa = Pkix.serverCa(server.dataDir(), "idevid-ca");
    KeyPair key = TestPki.key("ec-p256");
    Instant now = Instant.now();
    X509Certificate expired =
        Pkix.clientCertificate(
            idevidCa, key, "expired-device", now.minus(Duration.ofDays(30)), now.minusSeconds(60));
    String url = server.labelUrl("device-id") + "simpleenroll";
    try (HttpClient client = Est.client(server.root(), List.of(expired), key.getPrivate())) {
      for (int i = 0; i < 6; i++) {
        Est.Reply r = Est.enroll(client, url, TestPki.csr(key, "CN=expired-device"));
        assertThat(r.status()).as("attempt %d: %s", i, r).isEqualTo(401);
        assertThat(r.text()).contains("expired");
      }
    }
  }

  /**
   * The DPS device API counts the same forgeries against the same limits: 401 401002, then 429
   * 429001 with Retry-After; a genuine device from the same address still registers.
   */
  @Test
  void dpsForgedCertificatesPastTheLimitAre429AndAGenuineNeighbourStillRegisters()
      throws Exception {
    Dps dps = new Dps(server);
    Enrolled forged = stranger("dps-forger");
    HttpClient client = dps.device(forged);
    for (int i = 0; i < 3; i++) {
      Dps.Reply r = dps.register(client, "dps-forger", "{\"registrationId\":\"dps-forger\"}");
      ProvisioningDeviceApiTest.assertError(
          r, 401, 401002, "leads to the CA certificate of no enrollment group");
    }
    Dps.Reply limited = dps.register(client, "dps-forger", "{\"registrationId\":\"dps-forger\"}");
    ProvisioningDeviceApiTest.assertError(limited, 429, 429001, "too many failed authentications");
    assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 60L);

    Enrolled genuine = EstEnrollment.deviceId(server, "dps-neighbour");
    Dps.Reply accepted =
        dps.register(
            dps.device(genuine), "dps-neighbour", "{\"registrationId\":\"dps-neighbour\"}");
    assertThat(accepted.status()).as("%s", accepted).isEqualTo(202);
  }

  /** A device certificate from a CA this server has never seen. */
  static Enrolled stranger(String cn) {
    IssuingCa ca = Pkix.strangerCa("Forger CA " + cn);
    KeyPair key = TestPki.key("ec-p256");
    Instant now = Instant.now();
    return new Enrolled(
        key,
        List.of(
            Pkix.clientCertificate(
                ca, key, cn, now.minusSeconds(60), now.plus(Duration.ofDays(1)))));
  }

  /**
   * Each wrong admin token costs a 600k-iteration PBKDF2: past 10 a minute from one address, 429
   * before hashing.
   */
  @Test
  void wrongAdminTokensPastTheLimitAre429() throws Exception {
    Dps dps = new Dps(server);
    String wrong = "Bearer not-the-token";
    for (int i = 0; i < 10; i++) {
      Dps.Reply r = adminWith(wrong);
      assertThat(r.status()).as("%s", r).isEqualTo(401);
    }
    Dps.Reply limited = adminWith(wrong);
    assertThat(limited.status()).as("%s", limited).isEqualTo(429);
    assertThat(limited.json().get("error").asText()).contains("too many wrong admin tokens");
    assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 60L);
    assertThat(dps.admin("GET", "/api/v1/health", null).status())
        .as("health needs no token")
        .isEqualTo(200);
  }

  static Dps.Reply adminWith(String authorization) throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(TestPki.tls(server.root(), null, null)).build();
    var request =
        HttpRequest.newBuilder(
                URI.create(server.adminUrl() + "/api/v1/certificates?subject=CN%3Dx"))
            .header("Authorization", authorization)
            .GET()
            .build();
    var r = client.send(request, HttpResponse.BodyHandlers.ofString());
    return new Dps.Reply(r.statusCode(), r.headers(), r.body());
  }
}
