package dev.estuary.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.ClientTls;
import dev.estuary.pki.EstBase64;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The HTTPS calls the simulator makes itself: the admin API (revocations, lookups) with the admin
 * token, and the labels' {@code cacerts}. The token is sent, never printed.
 */
final class Admin {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Supplier<List<String>> adminUrls;
  private final String token;
  private final Supplier<List<X509Certificate>> trust;

  Admin(Supplier<List<String>> adminUrls, String token, Supplier<List<X509Certificate>> trust) {
    this.adminUrls = adminUrls;
    this.token = token;
    this.trust = trust;
  }

  private HttpClient client() throws IOException {
    try {
      return HttpClient.newBuilder()
          .sslContext(ClientTls.context(trust.get(), null, null))
          .connectTimeout(Duration.ofSeconds(5))
          .build();
    } catch (Exception e) {
      throw new IOException("cannot set up TLS for the admin API: " + e.getMessage(), e);
    }
  }

  /** A request to the first admin URL that answers (replicas may be down). */
  HttpResponse<String> call(String method, String path, String body)
      throws IOException, InterruptedException {
    IOException last = null;
    for (int round = 0; round < 20; round++) {
      for (String base : adminUrls.get()) {
        try (HttpClient c = client()) {
          HttpRequest.Builder b =
              HttpRequest.newBuilder(URI.create(base + path))
                  .timeout(Duration.ofSeconds(30))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json");
          b.method(
              method,
              body == null
                  ? HttpRequest.BodyPublishers.noBody()
                  : HttpRequest.BodyPublishers.ofString(body));
          HttpResponse<String> r = c.send(b.build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() < 500) {
            return r;
          }
          last = new IOException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        } catch (IOException e) {
          last = e;
        }
      }
      Thread.sleep(500);
    }
    throw last == null ? new IOException("no admin URL") : last;
  }

  /** Revokes the certificate with {@code serialHex} (reason keyCompromise). */
  void revoke(String serialHex) throws IOException, InterruptedException {
    HttpResponse<String> r =
        call(
            "POST",
            "/api/v1/certificates/" + serialHex + "/revoke",
            "{\"reason\":\"keyCompromise\"}");
    if (r.statusCode() / 100 != 2) {
      throw new IOException(
          "revoking " + serialHex + " was refused: HTTP " + r.statusCode() + " " + r.body());
    }
  }

  /** The admin API's record of a certificate, if it has one. */
  Optional<JsonNode> certificate(String serialHex) throws IOException, InterruptedException {
    HttpResponse<String> r = call("GET", "/api/v1/certificates/" + serialHex, null);
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    if (r.statusCode() != 200) {
      throw new IOException("GET certificate " + serialHex + ": HTTP " + r.statusCode());
    }
    return Optional.of(JSON.readTree(r.body()));
  }

  /** The registration of {@code id}, if the service has one. */
  Optional<JsonNode> registration(String id) throws IOException, InterruptedException {
    HttpResponse<String> r = call("GET", "/api/v1/registrations/" + id, null);
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    if (r.statusCode() != 200) {
      throw new IOException("GET registration " + id + ": HTTP " + r.statusCode());
    }
    return Optional.of(JSON.readTree(r.body()));
  }

  /** The certificates of {@code estBase}{@code /LABEL/cacerts}, for every label given. */
  static List<X509Certificate> cacerts(
      String estBase, List<String> labels, List<X509Certificate> trust) throws IOException {
    List<X509Certificate> out = new ArrayList<>();
    try (HttpClient c =
        HttpClient.newBuilder()
            .sslContext(ClientTls.context(trust, null, null))
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      for (String label : labels) {
        HttpResponse<byte[]> r =
            c.send(
                HttpRequest.newBuilder(URI.create(estBase + "/" + label + "/cacerts"))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
          throw new IOException(
              label
                  + "/cacerts: HTTP "
                  + r.statusCode()
                  + " "
                  + new String(r.body(), StandardCharsets.UTF_8));
        }
        for (X509Certificate x : CertsOnlyPkcs7.decode(EstBase64.decode(r.body()))) {
          if (!out.contains(x)) {
            out.add(x);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cacerts: " + e.getMessage(), e);
    }
    return out;
  }
}
