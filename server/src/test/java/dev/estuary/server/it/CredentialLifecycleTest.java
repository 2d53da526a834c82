package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.pki.EstBase64;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, point 5: bootstrap secrets and Basic users are listed without secrets, disabled and
 * deleted through the admin API over real HTTPS, and a disabled or deleted credential is refused on
 * its very next enrollment, although it had just been verified (and so sits in the gates'
 * verified-credential cache).
 */
@Timeout(120)
class CredentialLifecycleTest {
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
  void aSecretIsListedWithoutItsValueThenDisabledAndRefusedAtOnceThenDeleted() throws Exception {
    Dps.Reply created =
        api.admin(
            "POST", "/api/v1/secrets", "{\"label\":\"idevid\",\"uses\":5,\"expires\":\"30d\"}");
    assertThat(created.status()).as("%s", created).isEqualTo(200);
    String id = created.json().get("id").asText();
    String secret = created.json().get("secret").asText();
    assertThat(enroll("Secret-Value", secret)).isEqualTo(200); // verified once: now in the cache

    Dps.Reply listed = api.admin("GET", "/api/v1/secrets?label=idevid", null);
    assertThat(listed.status()).isEqualTo(200);
    JsonNode mine = find(listed.json(), "id", id);
    assertThat(mine.get("label").asText()).isEqualTo("idevid");
    assertThat(mine.get("usesRemaining").asInt()).isEqualTo(4);
    assertThat(mine.get("state").asText()).isEqualTo("active");
    assertThat(mine.has("expiresAt") && !mine.get("expiresAt").isNull()).isTrue();
    assertThat(listed.body())
        .doesNotContain(secret.substring(id.length() + 1))
        .doesNotContain("pbkdf2")
        .doesNotContain("hash");
    assertThat(find(listed.json(), "usesRemaining", null).get("label").asText())
        .as("the quickstart factory secret: unlimited uses")
        .isEqualTo("idevid");

    Dps.Reply disabled = api.admin("POST", "/api/v1/secrets/" + id + "/disable", null);
    assertThat(disabled.status()).as("%s", disabled).isEqualTo(200);
    assertThat(disabled.json().get("state").asText()).isEqualTo("disabled");
    assertThat(enroll("Secret-Value", secret))
        .as("a disabled secret, the very next request")
        .isEqualTo(401);
    assertThat(api.admin("GET", "/api/v1/secrets/" + id, null).json().get("disabled").asBoolean())
        .isTrue();

    assertThat(api.admin("DELETE", "/api/v1/secrets/" + id, null).status()).isEqualTo(200);
    assertThat(api.admin("GET", "/api/v1/secrets/" + id, null).status()).isEqualTo(404);
    assertThat(api.admin("DELETE", "/api/v1/secrets/" + id, null).status()).isEqualTo(404);
    assertThat(api.admin("POST", "/api/v1/secrets/" + id + "/disable", null).status())
        .isEqualTo(404);
    assertThat(enroll("Secret-Value", secret)).isEqualTo(401);
    assertThat(api.admin("GET", "/api/v1/secrets", null).json().findValuesAsText("id"))
        .doesNotContain(id);
  }

  @Test
  void aDeletedSecretIsRefusedAtOnceWhileStillCached() throws Exception {
    JsonNode created = api.admin("POST", "/api/v1/secrets", "{\"label\":\"idevid\"}").json();
    String secret = created.get("secret").asText();
    assertThat(enroll("Secret-Value", secret)).isEqualTo(200);

    assertThat(api.admin("DELETE", "/api/v1/secrets/" + created.get("id").asText(), null).status())
        .isEqualTo(200);

    assertThat(enroll("Secret-Value", secret)).isEqualTo(401);
  }

  @Test
  void aBasicUserIsListedWithoutItsPasswordThenDisabledAndRefusedAtOnceThenDeleted()
      throws Exception {
    Dps.Reply created =
        api.admin("POST", "/api/v1/basic-users", "{\"username\":\"line-7\",\"label\":\"idevid\"}");
    assertThat(created.status()).as("%s", created).isEqualTo(200);
    String password = created.json().get("password").asText();
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("line-7:" + password).getBytes(StandardCharsets.UTF_8));
    assertThat(enroll("Authorization", basic)).isEqualTo(200);

    Dps.Reply listed = api.admin("GET", "/api/v1/basic-users", null);
    assertThat(listed.status()).isEqualTo(200);
    JsonNode user = find(listed.json(), "username", "line-7");
    assertThat(user.get("label").asText()).isEqualTo("idevid");
    assertThat(user.get("disabled").asBoolean()).isFalse();
    assertThat(listed.body())
        .doesNotContain(password)
        .doesNotContain("pbkdf2")
        .doesNotContain("hash");

    Dps.Reply disabled = api.admin("POST", "/api/v1/basic-users/line-7/disable", null);
    assertThat(disabled.status()).as("%s", disabled).isEqualTo(200);
    assertThat(disabled.json().get("disabled").asBoolean()).isTrue();
    assertThat(enroll("Authorization", basic))
        .as("a disabled user, the very next request")
        .isEqualTo(401);

    assertThat(api.admin("DELETE", "/api/v1/basic-users/line-7", null).status()).isEqualTo(200);
    assertThat(api.admin("GET", "/api/v1/basic-users/line-7", null).status()).isEqualTo(404);
    assertThat(api.admin("DELETE", "/api/v1/basic-users/line-7", null).status()).isEqualTo(404);
    assertThat(enroll("Authorization", basic)).isEqualTo(401);
    assertThat(api.admin("GET", "/api/v1/basic-users", null).json().findValuesAsText("username"))
        .doesNotContain("line-7");
  }

  @Test
  void quickstartJsonSaysTheFactorySecretNeverExpiresAndHasUnlimitedUses() {
    String id = server.factorySecret().substring(0, server.factorySecret().indexOf('.'));
    assertThat(server.info().get("factory_secret_note").asText())
        .contains("never expires", "unlimited uses", "estuary server secret disable " + id);
  }

  @Test
  void listingNeedsTheAdminToken() throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(TestPki.tls(server.root(), null, null)).build();
    for (String path : new String[] {"/api/v1/secrets", "/api/v1/basic-users"}) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(server.adminUrl() + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(401);
    }
  }

  /** An IDevID enrollment on the idevid label with one credential header; its HTTP status. */
  private static int enroll(String header, String value) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(TestPki.tls(server.root(), null, null))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.labelUrl("idevid") + "simpleenroll"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/pkcs10")
            .header(header, value)
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(
                    EstBase64.encode(TestPki.csr(TestPki.key("ec-p256"), "CN=lifecycle"))))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode n : array) {
      JsonNode v = n.get(field);
      if (value == null ? v != null && v.isNull() : v != null && v.asText().equals(value)) {
        return n;
      }
    }
    throw new AssertionError(
        "no element with " + field + "=" + value + " in " + array.toPrettyString());
  }
}
