package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.pki.ClientTls;
import dev.estuary.pki.Pem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * How an operator command reaches a running server's admin API: from a quickstart data directory
 * (quickstart.json) or from explicit URL, token and CA options.
 */
final class AdminConnection {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "estuary-data",
      description = "Quickstart data directory whose quickstart.json names the admin URL and token (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--admin-url", paramLabel = "URL", description = "Admin API base URL, e.g. https://127.0.0.1:9443.")
  String adminUrl;

  @Option(names = "--admin-token-file", paramLabel = "FILE", description = "File holding the admin token (or set ESTUARY_ADMIN_TOKEN).")
  Path tokenFile;

  @Option(names = "--cacert", paramLabel = "PEM", description = "CA certificate that signed the server's TLS certificate.")
  Path cacert;

  /** Sends a request to {@code /api/v1/<path>}; returns the JSON answer or throws with the server's reason. */
  JsonNode call(String method, String path, JsonNode body) throws Exception {
    String url = adminUrl;
    String token = System.getenv("ESTUARY_ADMIN_TOKEN");
    Path ca = cacert;
    Path info = dataDir.resolve("quickstart.json");
    if ((url == null || token == null || ca == null) && Files.exists(info)) {
      JsonNode q = JSON.readTree(info.toFile());
      url = url != null ? url : q.path("admin_url").asText(null);
      token = token != null ? token : q.path("admin_token").asText(null);
      ca = ca != null ? ca : Path.of(q.path("root_ca").asText());
    }
    if (tokenFile != null) {
      token = Files.readString(tokenFile).strip();
    }
    if (url == null || token == null || ca == null) {
      throw new IllegalArgumentException(
          "cannot reach the admin API: give --data-dir of a quickstart, or --admin-url, --admin-token-file (or ESTUARY_ADMIN_TOKEN) and --cacert");
    }
    HttpClient client = HttpClient.newBuilder().sslContext(trusting(ca)).connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/api/v1/" + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json");
    rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
    HttpResponse<String> r;
    try {
      r = client.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IOException("cannot reach the admin API at " + url + " (is the server running?): " + e.getMessage(), e);
    }
    JsonNode answer = JSON.readTree(r.body());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("the server refused (" + r.statusCode() + "): " + answer.path("error").asText(r.body()));
    }
    return answer;
  }

  private static SSLContext trusting(Path pem) throws Exception {
    return ClientTls.context(Pem.certificates(Files.readString(pem)), null, null);
  }

  static ObjectMapper json() {
    return JSON;
  }
}
