package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.pki.ClientTls;
import dev.estuary.pki.Pem;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Option;

/**
 * How an operator command reaches a running server's admin API: from a quickstart data directory
 * (quickstart.json) or from explicit URL, token and CA options.
 */
final class AdminConnection {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "estuary-data",
      description =
          "Quickstart data directory whose quickstart.json names the admin URL and token (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--admin-url",
      paramLabel = "URL",
      description = "Admin API base URL, e.g. https://127.0.0.1:9443.")
  String adminUrl;

  @Option(
      names = "--admin-token-file",
      paramLabel = "FILE",
      description = "File holding the admin token (or set ESTUARY_ADMIN_TOKEN).")
  Path tokenFile;

  @Option(
      names = "--cacert",
      paramLabel = "PEM",
      description = "CA certificate that signed the server's TLS certificate.")
  Path cacert;

  /**
   * Sends a request to {@code /api/v1/<path>}; returns the JSON answer, or throws a {@link
   * CliFailure} that says in one sentence what went wrong.
   */
  JsonNode call(String method, String path, JsonNode body) throws Exception {
    String url = adminUrl;
    String token = System.getenv("ESTUARY_ADMIN_TOKEN");
    Path ca = cacert;
    Path info = dataDir.resolve("quickstart.json");
    if (tokenFile != null) {
      if (!Files.isReadable(tokenFile)) {
        throw new CliFailure(
            CliFailure.USAGE,
            "the admin token file "
                + tokenFile.toAbsolutePath()
                + " does not exist or is not readable");
      }
      token = Files.readString(tokenFile).strip();
    }
    if (url == null || token == null || ca == null) {
      if (!Files.exists(info)) {
        throw new CliFailure(
            CliFailure.UNREACHABLE,
            "no server to talk to: "
                + info.toAbsolutePath()
                + " does not exist; run this where ./estuary server --quickstart was started, or give --data-dir DIR,"
                + " or --admin-url, --admin-token-file (or ESTUARY_ADMIN_TOKEN) and --cacert");
      }
      JsonNode q = JSON.readTree(info.toFile());
      url = url != null ? url : q.path("admin_url").asText(null);
      token = token != null ? token : q.path("admin_token").asText(null);
      ca = ca != null ? ca : Path.of(q.path("root_ca").asText());
    }
    if (url == null || token == null) {
      throw new CliFailure(
          CliFailure.USAGE,
          info + " names no admin_url or admin_token; give --admin-url and --admin-token-file");
    }
    if (!Files.isReadable(ca)) {
      throw new CliFailure(
          CliFailure.USAGE,
          "the CA certificate "
              + ca.toAbsolutePath()
              + " (--cacert, or root_ca in quickstart.json) does not exist or is not readable");
    }
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(trusting(ca))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/api/v1/" + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json");
    rb.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString()));
    HttpResponse<String> r;
    try {
      r = client.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CliFailure(
          CliFailure.UNREACHABLE,
          "cannot reach the admin API at "
              + url
              + ": "
              + why(e)
              + "; is the server running? (./estuary server --quickstart --detach starts it)",
          e);
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(r.body());
    } catch (IOException e) {
      answer =
          JSON.createObjectNode()
              .put("error", r.body().isBlank() ? "(no answer body)" : r.body().strip());
    }
    if (r.statusCode() == 404) {
      throw new CliFailure(
          CliFailure.NOT_FOUND, answer.path("error").asText("not found") + " (HTTP 404)");
    }
    if (r.statusCode() != 200) {
      throw new CliFailure(
          CliFailure.FAILED,
          "the server refused (HTTP "
              + r.statusCode()
              + "): "
              + answer.path("error").asText(r.body()));
    }
    return answer;
  }

  /** Why a connection failed, in a few words: the JDK's exceptions often carry no message. */
  static String why(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpConnectTimeoutException) {
        return "no connection within 10 s";
      }
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof SSLException) {
        return "TLS failed (" + OneLineErrors.sentence(t) + ")";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + t.getMessage();
      }
    }
    return OneLineErrors.sentence(e);
  }

  private static SSLContext trusting(Path pem) throws Exception {
    return ClientTls.context(Pem.certificates(Files.readString(pem)), null, null);
  }

  static ObjectMapper json() {
    return JSON;
  }
}
