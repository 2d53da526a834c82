package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.pki.EstBase64;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin port's {@code /metrics}, scraped over real HTTPS after real enrollments and refusals:
 * certificates by label and status and those expiring (after a census), issuances and refusals by
 * label and reason, latency histograms under bounded endpoint names (a scanner's paths make no
 * series), open TLS connections, the connection pool; {@code /healthz} and {@code /readyz} without
 * a token.
 */
@Timeout(120)
class MetricsTest {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);

  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

  @TempDir static Path dir;
  static QuickstartServer server;
  static Dps api;

  @BeforeAll
  static void start() throws Exception {
    server = QuickstartServer.start(dir.resolve("data"));
    api = new Dps(server);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void certificatesEnrollmentsRefusalsAndLatencyAreCountedWithBoundedSeries() throws Exception {
    server.server().metrics().countCertificates();
    Map<String, Double> before = scrape();

    EstEnrollment.Enrolled a = EstEnrollment.idevid(server, "metrics-a");
    EstEnrollment.idevid(server, "metrics-b");
    EstEnrollment.idevid(server, "metrics-c");
    EstEnrollment.deviceId(server, a, "metrics-a"); // device-id: 7 days
    assertThat(
            api.admin(
                    "POST",
                    "/api/v1/certificates/" + a.leaf().getSerialNumber().toString(16) + "/revoke",
                    "{\"reason\":\"keyCompromise\"}")
                .status())
        .isEqualTo(200);
    assertThat(post("idevid/simpleenroll", "Secret-Value", "abcdefghij.wrong-secret-value"))
        .isEqualTo(401);
    assertThat(post("no-such-label/simpleenroll", "Secret-Value", server.factorySecret()))
        .isEqualTo(404);
    assertThat(post("idevid/simpleenroll", "Secret-Value", server.factorySecret(), "bm90IGEgY3Ny"))
        .isEqualTo(400);
    // A scanner: paths that exist nowhere.
    for (int i = 0; i < 20; i++) {
      assertThat(get(server.estUrl().replace("/.well-known/est", "") + "/scan-" + i + "/admin.php"))
          .isEqualTo(404);
    }

    server.server().metrics().countCertificates();
    Map<String, Double> after = scrape();

    String idevidValid = "estuary_certificates{label=\"idevid\",status=\"valid\"}";
    String idevidRevoked = "estuary_certificates{label=\"idevid\",status=\"revoked\"}";
    // three IDevIDs and the device-id's own fresh IDevID? no: deviceId(a) used a; so 3 new, 1
    // revoked
    assertThat(delta(before, after, idevidValid)).isEqualTo(2);
    assertThat(delta(before, after, idevidRevoked)).isEqualTo(1);
    assertThat(after)
        .containsEntry("estuary_certificates{label=\"idevid\",status=\"expired\"}", 0.0);
    assertThat(delta(before, after, "estuary_certificates{label=\"device-id\",status=\"valid\"}"))
        .isEqualTo(1);
    assertThat(
            delta(
                before, after, "estuary_certificates_expiring{label=\"device-id\",within=\"7d\"}"))
        .isEqualTo(1);
    assertThat(after)
        .containsEntry("estuary_certificates_expiring{label=\"device-id\",within=\"24h\"}", 0.0)
        .containsEntry("estuary_certificates_expiring{label=\"idevid\",within=\"7d\"}", 0.0);
    assertThat(after.get("estuary_certificates_census_timestamp_seconds"))
        .isGreaterThan(System.currentTimeMillis() / 1000.0 - 60);

    assertThat(
            delta(
                before,
                after,
                "estuary_certificates_issued_total{gate=\"secret\",label=\"idevid\"}"))
        .isEqualTo(3);
    assertThat(
            delta(
                before,
                after,
                "estuary_certificates_issued_total{gate=\"mtls\",label=\"device-id\"}"))
        .isEqualTo(1);
    assertThat(
            delta(
                before,
                after,
                "estuary_est_refusals_total{label=\"idevid\",reason=\"WRONG_CREDENTIALS\",status=\"401\"}"))
        .isEqualTo(1);
    assertThat(
            delta(
                before,
                after,
                "estuary_est_refusals_total{label=\"none\",reason=\"NOT_FOUND\",status=\"404\"}"))
        .isEqualTo(1);
    assertThat(
            delta(
                before,
                after,
                "estuary_est_refusals_total{label=\"idevid\",reason=\"BAD_CSR\",status=\"400\"}"))
        .isEqualTo(1);

    String enrollCount =
        "estuary_http_requests_seconds_count{endpoint=\"est_simpleenroll\",listener=\"device\",status=\"2xx\"}";
    assertThat(delta(before, after, enrollCount)).isEqualTo(4);
    assertThat(
            after.get(
                "estuary_http_requests_seconds_bucket{endpoint=\"est_simpleenroll\",le=\"+Inf\",listener=\"device\",status=\"2xx\"}"))
        .isGreaterThanOrEqualTo(4);
    assertThat(
            delta(
                before,
                after,
                "estuary_http_requests_seconds_count{endpoint=\"other\",listener=\"device\",status=\"4xx\"}"))
        .isEqualTo(20);
    String text = scrapeText();
    assertThat(text)
        .doesNotContain("scan-")
        .doesNotContain("admin.php")
        .doesNotContain("no-such-label");

    assertThat(after).containsKey("hikaricp_connections_max{pool=\"estuary-db\"}");
    assertThat(after).containsKey("hikaricp_connections_active{pool=\"estuary-db\"}");
  }

  @Test
  void provisioningRefusalsAreCountedByEnrollmentKindLabelAndErrorCode() throws Exception {
    String disabled =
        "estuary_provisioning_refusals_total{kind=\"group\",label=\"device-id\","
            + "reason=\"DEVICE_DISABLED\",status=\"403\"}";
    String unknown =
        "estuary_provisioning_refusals_total{kind=\"none\",label=\"none\","
            + "reason=\"UNAUTHORIZED\",status=\"401\"}";
    Map<String, Double> before = scrape();

    // A device of the quickstart's group (CSRs signed by device-id), disabled by an operator.
    EstEnrollment.Enrolled device = EstEnrollment.deviceId(server, "metrics-disabled");
    assertThat(api.admin("POST", "/api/v1/devices/metrics-disabled/disable", "{}").status())
        .isEqualTo(200);
    assertThat(api.register(api.device(device), "metrics-disabled", "{}").status()).isEqualTo(403);
    assertThat(api.register(api.device(device), "metrics-disabled", "{}").status()).isEqualTo(403);
    // A device whose chain leads to no enrollment: refused before any matched.
    EstEnrollment.Enrolled stranger =
        ProvisioningDeviceApiTest.selfMade(Pkix.strangerCa("Metrics Stranger CA"), "stranger-1");
    assertThat(api.register(api.device(stranger), "stranger-1", "{}").status()).isEqualTo(401);

    Map<String, Double> after = scrape();
    assertThat(delta(before, after, disabled)).isEqualTo(2);
    assertThat(delta(before, after, unknown)).isEqualTo(1);
    assertThat(scrapeText()).doesNotContain("metrics-disabled").doesNotContain("stranger-1");
  }

  @Test
  void openTlsConnectionsAreCountedWhileOpen() throws Exception {
    String gauge = "estuary_tls_connections_open{listener=\"device\"}";
    double idle = scrape().get(gauge);
    try (SSLSocket socket =
        (SSLSocket)
            TestPki.tls(server.root(), null, null)
                .getSocketFactory()
                .createSocket("127.0.0.1", server.estPort())) {
      socket.startHandshake();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> scrape().get(gauge) >= idle + 1);
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> scrape().get(gauge) <= idle);
  }

  @Test
  void healthAndReadinessAnswerWithoutAToken() throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(TestPki.tls(server.root(), null, null)).build();
    for (String path : new String[] {"/healthz", "/readyz"}) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(server.adminUrl() + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    }
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
    assertThat(after).as(key).containsKey(key);
    return after.get(key) - before.getOrDefault(key, 0.0);
  }

  private static int post(String labelAndOp, String header, String value) throws Exception {
    return post(
        labelAndOp,
        header,
        value,
        new String(EstBase64.encode(TestPki.csr(TestPki.key("ec-p256"), "CN=refused"))));
  }

  private static int post(String labelAndOp, String header, String value, String body)
      throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(TestPki.tls(server.root(), null, null)).build();
    return client
        .send(
            HttpRequest.newBuilder(URI.create(server.estUrl() + "/" + labelAndOp))
                .header("Content-Type", "application/pkcs10")
                .header(header, value)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static int get(String url) throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(TestPki.tls(server.root(), null, null)).build();
    return client
        .send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static String scrapeText() throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(TestPki.tls(server.root(), null, null)).build();
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(server.adminUrl() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** Labels in a fixed (alphabetical) order, whatever order the exposition wrote them in. */
  private static String sorted(String labels) {
    if (labels == null) {
      return "";
    }
    Matcher m = LABEL.matcher(labels);
    TreeMap<String, String> pairs = new TreeMap<>();
    while (m.find()) {
      pairs.put(m.group(1), m.group(2));
    }
    StringBuilder b = new StringBuilder("{");
    pairs.forEach(
        (k, v) ->
            b.append(b.length() > 1 ? "," : "").append(k).append("=\"").append(v).append('"'));
    return b.append('}').toString();
  }

  /** Every sample of a scrape: name with its labels (as written) to its value. */
  private static Map<String, Double> scrape() throws Exception {
    Map<String, Double> samples = new HashMap<>();
    Matcher m = SAMPLE.matcher(scrapeText());
    while (m.find()) {
      samples.put(m.group(1) + sorted(m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }
}
