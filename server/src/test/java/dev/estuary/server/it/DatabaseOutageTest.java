package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.StoppablePostgres;
import dev.estuary.server.testing.TestPki;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database goes away under a running server (a real PostgreSQL, stopped and started again on
 * the same data directory and port): EST and DPS answer 503 with Retry-After instead of hanging or
 * failing with 500, and the server recovers by itself when the database is back. Nothing
 * half-written: the certificates in the database are exactly the ones a client received.
 */
class DatabaseOutageTest {
  @TempDir Path tmp;

  @Test
  void withTheDatabaseDownEstAndDpsAnswer503WithRetryAfterAndRecoverWhenItIsBack()
      throws Exception {
    try (StoppablePostgres pg = StoppablePostgres.start(tmp.resolve("pg"));
        QuickstartServer s = QuickstartServer.start(tmp.resolve("data"), pg.quickstartToml())) {
      Dps dps = new Dps(s);
      // the quickstart's factory secret lives in its H2 file; this server's store is PostgreSQL
      String secret =
          dps.admin(
                  "POST",
                  "/api/v1/secrets",
                  "{\"label\":\"idevid\"}",
                  "Content-Type",
                  "application/json")
              .json()
              .get("secret")
              .asText();
      HttpClient est = Est.client(s.root());
      List<BigInteger> received = new ArrayList<>();
      Est.Reply first = enroll(s, est, secret, "outage-1");
      assertThat(first.status()).as(first.text()).isEqualTo(200);
      received.add(first.certificates().getFirst().getSerialNumber());
      KeyPair deviceKey = TestPki.key("ec-p256");
      EstEnrollment.Enrolled device =
          new EstEnrollment.Enrolled(deviceKey, List.of(enrolled(s, est, secret, deviceKey)));
      received.add(device.leaf().getSerialNumber());

      pg.stop(); // the database is gone

      Est.Reply down = enroll(s, est, secret, "outage-2");
      assertThat(down.status()).as(down.text()).isEqualTo(503);
      assertThat(down.headers().firstValue("Retry-After")).contains("10");
      assertThat(down.text()).contains("the certificate store is unavailable");
      Dps.Reply dpsDown =
          dps.register(dps.device(device), "outage-dev", "{\"registrationId\":\"outage-dev\"}");
      assertThat(dpsDown.status()).as("%s", dpsDown).isEqualTo(503);
      assertThat(dpsDown.header("Retry-After")).isEqualTo("10");
      assertThat(dpsDown.json().get("errorCode").asInt()).isEqualTo(503001);
      // Once a connection request has found it unreachable (after the pool's dead connections are
      // used up), one request at a time tries the database and the others are answered 503
      // without waiting for the pool (store.FailFastDataSource).
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  enroll(s, est, secret, "outage-wait").status() == 503
                      && metric(metrics(s), "estuary_store_unreachable") == 1);
      double refusedBefore = metric(metrics(s), "estuary_store_connections_refused_total");
      List<CompletableFuture<Est.Reply>> burst = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String cn = "outage-burst-" + i;
        burst.add(CompletableFuture.supplyAsync(() -> enrollUnchecked(s, est, secret, cn)));
      }
      for (CompletableFuture<Est.Reply> r : burst) {
        Est.Reply reply = r.get(60, TimeUnit.SECONDS);
        assertThat(reply.status()).as(reply.text()).isEqualTo(503);
        assertThat(reply.headers().firstValue("Retry-After")).contains("10");
      }
      assertThat(metric(metrics(s), "estuary_store_connections_refused_total") - refusedBefore)
          .as("of the four requests at once, those answered without waiting for the pool")
          .isGreaterThanOrEqualTo(3);

      pg.resume(); // back, same data, same port

      Est.Reply[] again = new Est.Reply[1];
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> (again[0] = enroll(s, est, secret, "outage-3")).status() != 503);
      assertThat(again[0].status()).as(again[0].text()).isEqualTo(200);
      received.add(again[0].certificates().getFirst().getSerialNumber());
      Dps.Reply dpsAgain =
          dps.register(dps.device(device), "outage-dev", "{\"registrationId\":\"outage-dev\"}");
      // it reached the database again (this store has no enrollment for the device: refused)
      assertThat(dpsAgain.status()).as("%s", dpsAgain).isNotEqualTo(503).isLessThan(500);

      assertThat(serialsIn(pg.running())).isEqualTo(new TreeSet<>(received));
      String scraped = dps.admin("GET", "/metrics", null).body(); // over the admin port
      assertThat(metric(scraped, "estuary_store_unreachable")).isZero();
    }
  }

  private static Est.Reply enroll(QuickstartServer s, HttpClient est, String secret, String cn)
      throws Exception {
    return Est.enroll(
        est,
        s.labelUrl("idevid") + "simpleenroll",
        TestPki.csr(TestPki.key("ec-p256"), "CN=" + cn),
        "Secret-Value",
        secret);
  }

  private static Est.Reply enrollUnchecked(
      QuickstartServer s, HttpClient est, String secret, String cn) {
    try {
      return enroll(s, est, secret, cn);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server's metrics, as its admin port serves them at {@code /metrics}. */
  private static String metrics(QuickstartServer s) {
    return s.server().metrics().scrape();
  }

  /** The value of an unlabelled metric in Prometheus text. */
  private static double metric(String text, String name) {
    return text.lines()
        .filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in /metrics:\n" + text));
  }

  private static X509Certificate enrolled(
      QuickstartServer s, HttpClient est, String secret, KeyPair key) throws Exception {
    Est.Reply r =
        Est.enroll(
            est,
            s.labelUrl("idevid") + "simpleenroll",
            TestPki.csr(key, "CN=outage-dev"),
            "Secret-Value",
            secret);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.certificates().getFirst();
  }

  private static Set<BigInteger> serialsIn(EmbeddedPostgres pg) throws Exception {
    Set<BigInteger> serials = new TreeSet<>();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT serial FROM certificate")) {
      while (rs.next()) {
        serials.add(rs.getBigDecimal(1).toBigIntegerExact());
      }
    }
    return serials;
  }
}
