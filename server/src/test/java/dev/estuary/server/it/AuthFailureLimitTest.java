package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.http.HttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Credential guessing is slowed: past the per-minute limit of failed authentications, 429 + Retry-After. */
@Timeout(120)
class AuthFailureLimitTest {
  @TempDir static Path tmp;
  static QuickstartServer server;

  @BeforeAll
  static void start() throws Exception {
    server = QuickstartServer.start(tmp.resolve("data"), t -> t.replace("default_label = \"idevid\"", "default_label = \"idevid\"\nauth_failures_per_minute = 3"));
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
      assertThat(Est.enroll(client, url, csr, "Authorization", Est.basic("estuary", "guess-" + i)).status()).isEqualTo(401);
    }
    Est.Reply limited = Est.enroll(client, url, csr, "Authorization", Est.basic("estuary", "guess-4"));
    Est.Reply evenTheRightOne = Est.enroll(client, url, csr, "Authorization", Est.basic(server.basicUsername(), server.basicPassword()));

    assertThat(limited.status()).isEqualTo(429);
    assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
    assertThat(limited.text()).contains("too many failed authentications");
    assertThat(evenTheRightOne.status()).isEqualTo(429);
    assertThat(Est.get(client, server.estUrl() + "/cacerts").status()).as("cacerts needs no credentials").isEqualTo(200);
    assertThat(server.server().certificates().count()).isEqualTo(before);
  }
}
