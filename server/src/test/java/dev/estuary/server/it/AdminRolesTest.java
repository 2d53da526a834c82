package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.pki.Pem;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin API tokens with roles (issue 12), through a real quickstart server on loopback with real
 * TLS: each role gets what it may and 403 for the rest; a revoked or expired token gets 401; a
 * token is shown once and never listed; wrong tokens are limited before any hash is computed.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminRolesTest {
  @TempDir static Path tmp;
  static QuickstartServer server;
  static Dps dps;

  @BeforeAll
  static void start() throws Exception {
    server = QuickstartServer.start(tmp.resolve("data"));
    dps = new Dps(server);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** Creates a token with the quickstart's (config) admin token; returns its text. */
  static String token(String role, String extra) throws Exception {
    Dps.Reply r = dps.admin("POST", "/api/v1/tokens", "{\"role\":\"" + role + "\"" + extra + "}");
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    return r.json().get("token").asText();
  }

  static Dps.Reply as(String token, String method, String path, String body) throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(TestPki.tls(server.root(), null, null)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.adminUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + token)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
    return new Dps.Reply(r.statusCode(), r.headers(), r.body());
  }

  /** A certificate this server issued (idevid, with the factory secret): its serial in hex. */
  static String issue(String cn) throws Exception {
    Est.Reply r =
        Est.enroll(
            Est.client(server.root()),
            server.estUrl() + "/idevid/simpleenroll",
            TestPki.csr(TestPki.key("ec-p256"), "CN=" + cn),
            "Secret-Value",
            server.factorySecret());
    X509Certificate leaf = r.leaf();
    return leaf.getSerialNumber().toString(16);
  }

  @Test
  @Order(1)
  void eachRoleGetsWhatItMayAndA403ForTheRest() throws Exception {
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String role : new String[] {"auditor", "operator", "admin"}) {
      tokens.put(role, token(role, ",\"name\":\"matrix " + role + "\""));
    }
    String ca =
        Dps.JSON
            .createObjectNode()
            .put("name", "roles-ca-%s")
            .put("certificate", Pem.encode(server.root()))
            .toString();
    String serialA = issue("roles-auditor-victim");

    // role -> {operation -> expected status}
    for (var e : tokens.entrySet()) {
      String role = e.getKey();
      String t = e.getValue();
      boolean operator = !role.equals("auditor");
      boolean admin = role.equals("admin");
      // reads: every role
      assertThat(as(t, "GET", "/api/v1/secrets", null).status()).as(role).isEqualTo(200);
      assertThat(as(t, "GET", "/api/v1/tokens", null).status()).as(role).isEqualTo(200);
      assertThat(as(t, "GET", "/api/v1/certificates/" + serialA, null).status())
          .as(role)
          .isEqualTo(200);
      assertThat(as(t, "GET", "/api/v1/hubs", null).status()).as(role).isEqualTo(200);
      // operator: revoke, secrets, bindings, enrollments
      String serial = issue("roles-" + role);
      Dps.Reply revoke =
          as(
              t,
              "POST",
              "/api/v1/certificates/" + serial + "/revoke",
              "{\"reason\":\"keyCompromise\"}");
      assertThat(revoke.status()).as("%s revoke: %s", role, revoke).isEqualTo(operator ? 200 : 403);
      assertThat(
              server
                  .server()
                  .certificates()
                  .findBySerial(new BigInteger(serial, 16))
                  .orElseThrow()
                  .revokedAt())
          .as("%s: revoked only when allowed", role)
          .matches(at -> (at != null) == operator);
      assertThat(as(t, "POST", "/api/v1/secrets", "{\"label\":\"idevid\",\"uses\":1}").status())
          .as(role)
          .isEqualTo(operator ? 200 : 403);
      assertThat(as(t, "DELETE", "/api/v1/bindings/idevid/nobody-" + role, null).status())
          .as("%s: past the role check, the name is not bound", role)
          .isEqualTo(operator ? 404 : 403);
      assertThat(as(t, "POST", "/api/v1/basic-users", "{\"username\":\"u-" + role + "\"}").status())
          .as(role)
          .isEqualTo(operator ? 200 : 403);
      // admin: tokens, CA certificates, hubs
      assertThat(as(t, "POST", "/api/v1/tokens", "{\"role\":\"auditor\"}").status())
          .as(role)
          .isEqualTo(admin ? 200 : 403);
      assertThat(as(t, "POST", "/api/v1/ca-certificates", ca.formatted(role)).status())
          .as(role)
          .isEqualTo(admin ? 200 : 403);
      assertThat(as(t, "PUT", "/api/v1/hubs/hub-" + role + ".example", "{}").status())
          .as(role)
          .isEqualTo(admin ? 200 : 403);
    }
    // enrollments: an operator writes one under the CA the admin added; an auditor may not
    String group = ProvisioningAdminApiTest.group("roles-ca-admin", "");
    assertThat(
            as(tokens.get("auditor"), "PUT", "/api/v1/enrollment-groups/roles-group", group)
                .status())
        .isEqualTo(403);
    Dps.Reply put =
        as(tokens.get("operator"), "PUT", "/api/v1/enrollment-groups/roles-group", group);
    assertThat(put.status()).as("%s", put).isEqualTo(200);
    assertThat(
            as(tokens.get("operator"), "DELETE", "/api/v1/enrollment-groups/roles-group", null)
                .status())
        .isEqualTo(200);
  }

  @Test
  @Order(2)
  void anAuditorGets403OnRevokeWithAClearReasonAndTheCertificateStaysGood() throws Exception {
    String auditor = token("auditor", "");
    String serial = issue("roles-still-good");

    Dps.Reply r = as(auditor, "POST", "/api/v1/certificates/" + serial + "/revoke", "{}");

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.json().get("status").asInt()).isEqualTo(403);
    assertThat(r.json().get("error").asText())
        .startsWith("the auditor role may not revoke certificates; that needs the operator role")
        .contains("(token:");
    assertThat(
            server
                .server()
                .certificates()
                .findBySerial(new BigInteger(serial, 16))
                .orElseThrow()
                .revokedAt())
        .isNull();
  }

  @Test
  @Order(3)
  void aRevokedTokenGets401FromTheNextRequestOn() throws Exception {
    String operator = token("operator", ",\"name\":\"to be revoked\"");
    String id = operator.substring(0, operator.indexOf('.'));
    assertThat(as(operator, "GET", "/api/v1/secrets", null).status()).isEqualTo(200);

    Dps.Reply revoked = dps.admin("POST", "/api/v1/tokens/" + id + "/revoke", null);
    assertThat(revoked.status()).as("%s", revoked).isEqualTo(200);
    assertThat(revoked.json().get("state").asText()).isEqualTo("revoked");

    Dps.Reply after = as(operator, "GET", "/api/v1/secrets", null);
    assertThat(after.status()).as("%s", after).isEqualTo(401);
    assertThat(after.json().get("error").asText())
        .isEqualTo(
            "the admin token '"
                + id
                + "' was revoked at "
                + revoked.json().get("revokedAt").asText());
  }

  @Test
  @Order(4)
  void anExpiredTokenGets401() throws Exception {
    String shortLived = token("admin", ",\"expires\":\"2s\"");
    String id = shortLived.substring(0, shortLived.indexOf('.'));
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> as(shortLived, "GET", "/api/v1/tokens", null).status() == 401);
    Dps.Reply r = as(shortLived, "GET", "/api/v1/tokens", null);
    assertThat(r.json().get("error").asText())
        .startsWith("the admin token '" + id + "' expired at ");
    JsonNode listed = dps.admin("GET", "/api/v1/tokens/" + id, null).json();
    assertThat(listed.get("state").asText()).isEqualTo("expired");
  }

  @Test
  @Order(5)
  void aTokenIsShownOnceAndNeverListed() throws Exception {
    Dps.Reply created =
        dps.admin("POST", "/api/v1/tokens", "{\"role\":\"auditor\",\"name\":\"the auditors\"}");
    String value = created.json().get("token").asText();
    String id = created.json().get("id").asText();
    String secretPart = value.substring(value.indexOf('.') + 1);
    assertThat(value).startsWith(id + ".");
    assertThat(secretPart).hasSize(32);

    Dps.Reply list = dps.admin("GET", "/api/v1/tokens", null);
    Dps.Reply one = dps.admin("GET", "/api/v1/tokens/" + id, null);

    assertThat(list.body()).contains(id).contains("the auditors");
    for (Dps.Reply r : new Dps.Reply[] {list, one}) {
      assertThat(r.body())
          .doesNotContain(secretPart)
          .doesNotContain("pbkdf2")
          .doesNotContain("token\"");
    }
    assertThat(one.json().get("role").asText()).isEqualTo("auditor");
    assertThat(one.json().get("createdBy").asText()).isEqualTo("token:config");
  }

  /**
   * The OpenAPI description's {@code x-estuary-role} is what the server enforces: each documented
   * operation refuses the role below its least role with 403 (before reading any body) and does not
   * refuse its least role with 403.
   */
  @Test
  @Order(6)
  void everyDocumentedOperationIsRefusedToTheRoleBelowItsXEstuaryRole() throws Exception {
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String role : new String[] {"auditor", "operator", "admin"}) {
      tokens.put(role, token(role, ""));
    }
    String yaml = as(tokens.get("auditor"), "GET", "/api/v1/openapi.yaml", null).body();
    String path = null;
    String method = null;
    int checked = 0;
    for (String line : yaml.split("\n")) {
      if (line.startsWith("  /api/v1/") && line.endsWith(":")) {
        path = line.strip().replaceAll(":$", "").replaceAll("\\{[^}]+}", "roles-none");
      } else if (line.matches("    (get|post|put|delete):")) {
        method = line.strip().replace(":", "").toUpperCase(Locale.ROOT);
      } else if (line.startsWith("      x-estuary-role: ")) {
        String least = line.substring("      x-estuary-role: ".length()).strip();
        Dps.Reply allowed = as(tokens.get(least), method, path, null);
        assertThat(allowed.status())
            .as("%s %s as %s: %s", method, path, least, allowed)
            .isNotEqualTo(403);
        if (!least.equals("auditor")) {
          String below = least.equals("admin") ? "operator" : "auditor";
          Dps.Reply refused = as(tokens.get(below), method, path, null);
          assertThat(refused.status())
              .as("%s %s as %s: %s", method, path, below, refused)
              .isEqualTo(403);
          assertThat(refused.json().get("error").asText())
              .contains("the " + below + " role may not")
              .contains("needs the " + least + " role");
        }
        checked++;
      }
    }
    assertThat(checked).as("documented operations with a role").isGreaterThan(30);
  }

  /** Last: it fills the failed-token window of 127.0.0.1 for a minute. */
  @Test
  @Order(99)
  void wrongTokensAreCountedBeforeHashingAndPastTheLimitEvenTheRightOneWaits() throws Exception {
    String right = token("auditor", "");
    String id = right.substring(0, right.indexOf('.'));
    String wrongSecret = id + "." + "A".repeat(32);
    for (int i = 0; i < 5; i++) {
      assertThat(as(wrongSecret, "GET", "/api/v1/tokens", null).status()).isEqualTo(401);
      assertThat(as("zzzzzzzzzz." + "B".repeat(32), "GET", "/api/v1/tokens", null).status())
          .as("an unknown id: refused without a hash, still counted")
          .isEqualTo(401);
    }
    Dps.Reply limited = as(right, "GET", "/api/v1/tokens", null);
    assertThat(limited.status()).as("%s", limited).isEqualTo(429);
    assertThat(limited.json().get("error").asText()).contains("too many wrong admin tokens");
    assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 60L);
  }
}
