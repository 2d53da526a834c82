package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.StoppablePostgres;
import dev.estuary.server.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} follows the database: a quickstart server on a real PostgreSQL is ready, becomes
 * not ready (503, naming the database) when PostgreSQL stops, while {@code /healthz} stays 200, and
 * ready again once PostgreSQL is back on the same port, without a restart of Estuary.
 */
@Timeout(240)
class ReadinessTest {
  @TempDir Path dir;

  @Test
  void readyzFailsWhileTheDatabaseIsDownAndRecovers() throws Exception {
    try (StoppablePostgres postgres = StoppablePostgres.start(dir.resolve("pg"));
        QuickstartServer server =
            QuickstartServer.start(
                dir.resolve("estuary"), postgres.quickstartToml("pool_size = 2"))) {
      assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);

      postgres.stop();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> get(server, "/readyz").statusCode() == 503);
      HttpResponse<String> down = get(server, "/readyz");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).containsIgnoringCase("database");
      assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);

      postgres.resume();
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> get(server, "/readyz").statusCode() == 200);
      assertThat(get(server, "/readyz").body()).contains("ready");
    }
  }

  private static HttpResponse<String> get(QuickstartServer server, String path) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(TestPki.tls(server.root(), null, null))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    return client.send(
        HttpRequest.newBuilder(URI.create(server.adminUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
