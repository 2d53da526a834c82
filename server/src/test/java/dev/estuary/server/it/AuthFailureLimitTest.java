package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credential guessing is slowed: past the per-minute limit of failed authentications, 429 +
 * Retry-After.
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
