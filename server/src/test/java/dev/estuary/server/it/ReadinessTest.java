package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
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
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path data = dir.resolve("pg");
    EmbeddedPostgres postgres = postgres(data, port);
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (QuickstartServer server =
        QuickstartServer.start(
            dir.resolve("estuary"),
            toml ->
                toml.replace(
                    "url = \"jdbc:h2:file:./db/estuary\"",
                    "url = \"" + url + "\"\nuser = \"postgres\"\npool_size = 2"))) {
      assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);

      postgres.close();
      postgres = null;
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> get(server, "/readyz").statusCode() == 503);
      HttpResponse<String> down = get(server, "/readyz");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).containsIgnoringCase("database");
      assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);

      postgres = postgres(data, port);
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> get(server, "/readyz").statusCode() == 200);
      assertThat(get(server, "/readyz").body()).contains("ready");
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  private static EmbeddedPostgres postgres(Path data, int port) throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setLocaleConfig("locale", "C")
        .setPGStartupWait(Duration.ofSeconds(60))
        .setRegisterShutdownHook(true)
        .start();
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
