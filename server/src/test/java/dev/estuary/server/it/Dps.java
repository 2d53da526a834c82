package dev.estuary.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * A DPS device client on java.net.http for the wire tests: the device API's three requests with any
 * body, api-version and client certificate, and the admin API's JSON calls.
 */
final class Dps {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String API_VERSION = "2021-06-01";

  private final QuickstartServer server;

  Dps(QuickstartServer server) {
    this.server = server;
  }

  String scope() {
    return server.info().get("id_scope").asText();
  }

  /** https://localhost:PORT, the quickstart's dps_global_endpoint. */
  String endpoint() {
    return server.info().get("dps_global_endpoint").asText();
  }

  HttpClient device(EstEnrollment.Enrolled identity) throws Exception {
    return device(identity.chain(), identity);
  }

  /** A client presenting {@code chain} with the key of {@code identity} (null: no certificate). */
  HttpClient device(List<X509Certificate> chain, EstEnrollment.Enrolled identity) throws Exception {
    return HttpClient.newBuilder()
        .sslContext(
            TestPki.tls(
                server.root(), chain, identity == null ? null : identity.key().getPrivate()))
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  Reply register(HttpClient client, String registrationId, String body) throws Exception {
    return register(client, scope(), registrationId, body, API_VERSION);
  }

  Reply register(
      HttpClient client, String scope, String registrationId, String body, String apiVersion)
      throws Exception {
    String query = apiVersion == null ? "" : "?api-version=" + apiVersion;
    return send(
        client,
        "PUT",
        endpoint() + "/" + scope + "/registrations/" + registrationId + "/register" + query,
        body);
  }

  /** Follows a registration's Location (a path with its query). */
  Reply poll(HttpClient client, String location, String body) throws Exception {
    return send(client, "GET", endpoint() + location, body);
  }

  Reply status(HttpClient client, String registrationId) throws Exception {
    return send(
        client,
        "POST",
        endpoint()
            + "/"
            + scope()
            + "/registrations/"
            + registrationId
            + "?api-version="
            + API_VERSION,
        "{\"registrationId\":\"" + registrationId + "\"}");
  }

  /** Registers and polls the operation once; the answer to the poll. */
  Reply registerAndPoll(HttpClient client, String registrationId, String body, String apiVersion)
      throws Exception {
    Reply accepted = register(client, scope(), registrationId, body, apiVersion);
    if (accepted.status() != 202) {
      throw new AssertionError(
          "registration of " + registrationId + " was not accepted: " + accepted);
    }
    return poll(client, accepted.header("Location"), null);
  }

  static Reply send(HttpClient client, String method, String url, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (body != null) {
      b.header("Content-Type", "application/json; charset=utf-8");
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.headers(), r.body());
  }

  /**
   * The admin API with the quickstart's bearer token, or with another {@code Authorization} among
   * {@code headers}.
   */
  Reply admin(String method, String path, String body, String... headers) throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(TestPki.tls(server.root(), null, null)).build();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.adminUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + server.adminToken())
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.setHeader(headers[i], headers[i + 1]); // may replace the Authorization
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.headers(), r.body());
  }

  /** An HTTP answer with its JSON body. */
  record Reply(int status, HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return "HTTP " + status + " " + headers.map() + "\n" + body;
    }
  }
}
