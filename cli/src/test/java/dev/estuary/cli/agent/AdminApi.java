package dev.estuary.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.pki.ClientTls;
import dev.estuary.server.testing.QuickstartServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The quickstart server's admin API over HTTPS with its bearer token, as an operator's script uses
 * it.
 */
final class AdminApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final QuickstartServer server;

  AdminApi(QuickstartServer server) {
    this.server = server;
  }

  /** {@code method path} with an optional JSON body; the answer with its status. */
  HttpResponse<String> call(String method, String path, JsonNode body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.adminUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + server.adminToken())
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.toString()));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try (HttpClient client =
        HttpClient.newBuilder()
            .sslContext(ClientTls.context(List.of(server.root()), null, null))
            .build()) {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  JsonNode json(String method, String path, JsonNode body, String... headers) throws Exception {
    HttpResponse<String> r = call(method, path, body, headers);
    if (r.statusCode() / 100 != 2) {
      throw new AssertionError(method + " " + path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }
}
