package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.audit.AuditRecord;
import dev.estuary.server.quickstart.Quickstart;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.EstEnrollment.Enrolled;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: a real quickstart server over real HTTPS records every change in the audit log with its
 * actor (the admin token, the device, the system), refusals of authenticated callers one by one,
 * failed authentications counted per address; the log pages through the admin API; and none of the
 * secrets these flows handle (bootstrap secret, Basic password, admin token, the device's private
 * key) appears in any audit row.
 */
@Timeout(180)
class AuditTrailTest {
  @TempDir Path dir;

  @Test
  void everyChangeIsRecordedWithItsActorAndNoSecretReachesTheLog() throws Exception {
    try (QuickstartServer server = QuickstartServer.start(dir.resolve("data"))) {
      Dps api = new Dps(server);
      List<String> secrets = new ArrayList<>();
      secrets.add(server.adminToken());
      secrets.add(server.factorySecret());
      secrets.add(server.basicPassword());

      // A bootstrap secret: created, used for an enrollment with a fresh key, disabled, deleted.
      Dps.Reply created = api.admin("POST", "/api/v1/secrets", "{\"label\":\"idevid\",\"uses\":3}");
      assertThat(created.status()).as("%s", created).isEqualTo(200);
      String id = created.json().get("id").asText();
      String secret = created.json().get("secret").asText();
      secrets.add(secret);
      secrets.add(secret.substring(id.length() + 1));
      KeyPair key = TestPki.key("ec-p256");
      secrets.add(Base64.getEncoder().encodeToString(key.getPrivate().getEncoded()));
      secrets.add(pemBody(TestPki.pem(key.getPrivate())));
      assertThat(enroll(server, "simpleenroll", "Secret-Value", secret, key, "CN=audited-1"))
          .isEqualTo(200);

      // A Basic user: created, used, deleted.
      Dps.Reply user =
          api.admin(
              "POST", "/api/v1/basic-users", "{\"username\":\"line-9\",\"label\":\"idevid\"}");
      String password = user.json().get("password").asText();
      secrets.add(password);
      String basic =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(("line-9:" + password).getBytes(StandardCharsets.UTF_8));
      secrets.add(basic.substring(6));
      assertThat(
              enroll(
                  server, "simpleenroll", "Authorization", basic, TestPki.key("ec-p256"), "CN=b-1"))
          .isEqualTo(200);

      // A refusal of an authenticated caller: simplereenroll with a secret is no renewal.
      assertThat(
              enroll(
                  server,
                  "simplereenroll",
                  "Secret-Value",
                  secret,
                  TestPki.key("ec-p256"),
                  "CN=not-a-renewal"))
          .isEqualTo(403);

      // Wrong credentials, anonymous: counted, not recorded one by one.
      for (int i = 0; i < 3; i++) {
        assertThat(
                enroll(
                    server,
                    "simpleenroll",
                    "Secret-Value",
                    id + ".wrongwrongwrongwrongwrongwrongwr",
                    TestPki.key("ec-p256"),
                    "CN=guess"))
            .isEqualTo(401);
      }
      assertThat(wrongAdminToken(server, "not-the-token-" + secrets.size())).isEqualTo(401);

      // Revocation and removals through the admin API.
      String serial = issuedSerial(server, "CN=audited-1");
      assertThat(
              api.admin(
                      "POST",
                      "/api/v1/certificates/" + serial + "/revoke",
                      "{\"reason\":\"keyCompromise\"}")
                  .status())
          .isEqualTo(200);
      assertThat(api.admin("POST", "/api/v1/secrets/" + id + "/disable", null).status())
          .isEqualTo(200);
      assertThat(api.admin("DELETE", "/api/v1/secrets/" + id, null).status()).isEqualTo(200);
      assertThat(api.admin("DELETE", "/api/v1/basic-users/line-9", null).status()).isEqualTo(200);
      // An admin token made and revoked, a device disabled and enabled.
      var token =
          api.admin("POST", "/api/v1/tokens", "{\"role\":\"auditor\",\"name\":\"audited\"}");
      assertThat(token.status()).as("%s", token).isEqualTo(200);
      secrets.add(token.json().get("token").asText());
      String tokenId = token.json().get("id").asText();
      assertThat(api.admin("POST", "/api/v1/tokens/" + tokenId + "/revoke", null).status())
          .isEqualTo(200);
      assertThat(api.admin("POST", "/api/v1/devices/audited-9/disable", "{}").status())
          .isEqualTo(200);
      assertThat(api.admin("POST", "/api/v1/devices/audited-9/enable", null).status())
          .isEqualTo(200);
      server.server().authFailures().flush();

      AuditLog log = server.server().audit();
      List<AuditRecord> all = log.all();
      assertThat(one(all, AuditEvent.SERVER_STARTED).actor()).isEqualTo("system");
      assertThat(one(all, AuditEvent.SERVER_STARTED).details()).contains("\"digest\"");
      assertThat(actorOf(all, AuditEvent.SECRET_CREATED, id)).isEqualTo("token:config");
      assertThat(actorOf(all, AuditEvent.SECRET_DISABLED, id)).isEqualTo("token:config");
      assertThat(actorOf(all, AuditEvent.SECRET_DELETED, id)).isEqualTo("token:config");
      assertThat(actorOf(all, AuditEvent.BASIC_USER_CREATED, "line-9")).isEqualTo("token:config");
      assertThat(actorOf(all, AuditEvent.BASIC_USER_DELETED, "line-9")).isEqualTo("token:config");
      assertThat(actorOf(all, AuditEvent.TOKEN_CREATED, "token:" + tokenId))
          .isEqualTo("token:config");
      assertThat(actorOf(all, AuditEvent.TOKEN_REVOKED, "token:" + tokenId))
          .isEqualTo("token:config");
      assertThat(actorOf(all, AuditEvent.DEVICE_DISABLED, "audited-9")).isEqualTo("token:config");
      assertThat(actorOf(all, AuditEvent.DEVICE_ENABLED, "audited-9")).isEqualTo("token:config");
      AuditRecord issued =
          all.stream()
              .filter(r -> r.event().equals(AuditEvent.CERTIFICATE_ISSUED))
              .filter(r -> "CN=audited-1".equals(r.subject()))
              .findFirst()
              .orElseThrow();
      assertThat(issued.actor()).startsWith("device:");
      assertThat(issued.serial()).isEqualTo(serial);
      assertThat(issued.label()).isEqualTo("idevid");
      assertThat(issued.details()).contains("\"secretUsed\":\"" + id + "\"", "\"gate\":\"secret\"");
      AuditRecord revoked = one(all, AuditEvent.CERTIFICATE_REVOKED);
      assertThat(revoked.actor()).isEqualTo("token:config");
      assertThat(revoked.serial()).isEqualTo(serial);
      assertThat(revoked.details()).contains("keyCompromise");
      AuditRecord refused = one(all, AuditEvent.ISSUANCE_REFUSED);
      assertThat(refused.details()).contains("NOT_A_RENEWAL");
      assertThat(refused.actor()).startsWith("device:");
      assertThat(
              all.stream()
                  .filter(r -> r.event().equals(AuditEvent.AUTHENTICATION_FAILED))
                  .map(AuditRecord::details)
                  .toList())
          .as("one counted record per surface and address")
          .hasSize(2)
          .anySatisfy(d -> assertThat(d).contains("\"surface\":\"est\"", "\"count\":\"3\""))
          .anySatisfy(d -> assertThat(d).contains("\"surface\":\"admin\"", "\"count\":\"1\""));
      assertThat(one(all, AuditEvent.ADMIN_AUTHENTICATED).actor()).isEqualTo("token:config");

      // The scan: every field of every row, and the chain's head.
      AuditLog.Head head = log.head();
      for (AuditRecord r : all) {
        for (String s : secrets) {
          assertThat(r.toString()).as("audit record %d", r.id()).doesNotContain(s);
        }
      }
      for (String s : secrets) {
        assertThat(head.toString()).doesNotContain(s);
      }
      assertThat(log.verify().ok()).isTrue();

      // The admin API pages it (keyset) and filters it.
      JsonNode page = api.admin("GET", "/api/v1/audit?limit=2", null).json();
      assertThat(page.get("records")).hasSize(2);
      long next = page.get("next").asLong();
      JsonNode rest = api.admin("GET", "/api/v1/audit?limit=1000&after=" + next, null).json();
      assertThat(rest.get("records").get(0).get("id").asLong()).isEqualTo(next + 1);
      JsonNode bySerial =
          api.admin("GET", "/api/v1/audit?serial=" + serial, null).json().get("records");
      assertThat(bySerial.findValuesAsText("event"))
          .containsExactly(AuditEvent.CERTIFICATE_ISSUED, AuditEvent.CERTIFICATE_REVOKED);
      JsonNode byActor =
          api.admin(
                  "GET",
                  "/api/v1/audit?event=secret.created&actor="
                      + URLEncoder.encode("token:config", StandardCharsets.UTF_8),
                  null)
              .json()
              .get("records");
      assertThat(byActor).hasSize(1);
      assertThat(byActor.get(0).get("details").get("id").asText()).isEqualTo(id);
      assertThat(api.admin("GET", "/api/v1/audit?since=yesterday", null).status()).isEqualTo(400);
      assertThat(api.admin("DELETE", "/api/v1/audit", null).status()).isEqualTo(405);
    }
  }

  @Test
  void provisioningChangesAreRecordedWithTheirActorInTheirTransactionAndTheChainVerifies()
      throws Exception {
    try (QuickstartServer server = QuickstartServer.start(dir.resolve("prov"))) {
      Dps api = new Dps(server);
      AuditLog log = server.server().audit();
      Dps.Reply minted =
          api.admin("POST", "/api/v1/tokens", "{\"role\":\"operator\",\"name\":\"ops\"}");
      assertThat(minted.status()).as("%s", minted).isEqualTo(200);
      String operator = "token:" + minted.json().get("id").asText();
      String[] asOperator = {"Authorization", "Bearer " + minted.json().get("token").asText()};

      // CA certificate: added, a verification code issued, verified by proof of possession (admin).
      IssuingCa ca = Pkix.strangerCa("Audited Line CA");
      String caSubject = ca.certificate().getSubjectX500Principal().getName();
      String thumbprint = Thumbprints.sha256(ca.certificate());
      assertThat(ProvisioningAdminApiTest.uploadCa(api, "audited-line", ca).status())
          .isEqualTo(200);
      Dps.Reply coded =
          api.admin("POST", "/api/v1/ca-certificates/audited-line/verification-code", null);
      String code = coded.json().get("verificationCode").asText();
      assertThat(
              api.admin(
                      "POST",
                      "/api/v1/ca-certificates/audited-line/verify",
                      ProvisioningAdminApiTest.proof(ca, code))
                  .status())
          .isEqualTo(200);

      // Enrollment group (operator): created with an initial twin, replaced; the CA in use stays.
      String twin = ",\"initialTwin\":{\"tags\":{\"twin-marker\":\"twin-value-7q\"}}";
      assertThat(
              api.admin(
                      "PUT",
                      "/api/v1/enrollment-groups/audited-line",
                      ProvisioningAdminApiTest.group("audited-line", twin),
                      asOperator)
                  .status())
          .isEqualTo(200);
      assertThat(
              api.admin(
                      "PUT",
                      "/api/v1/enrollment-groups/audited-line",
                      ProvisioningAdminApiTest.group(
                          "audited-line", ",\"provisioningStatus\":\"disabled\""),
                      asOperator)
                  .status())
          .isEqualTo(200);
      assertThat(api.admin("DELETE", "/api/v1/ca-certificates/audited-line", null).status())
          .isEqualTo(409);
      // An auditor may not delete it: refused before anything changes.
      Dps.Reply auditor = api.admin("POST", "/api/v1/tokens", "{\"role\":\"auditor\"}");
      assertThat(
              api.admin(
                      "DELETE",
                      "/api/v1/enrollment-groups/audited-line",
                      null,
                      "Authorization",
                      "Bearer " + auditor.json().get("token").asText())
                  .status())
          .isEqualTo(403);
      assertThat(
              api.admin("DELETE", "/api/v1/enrollment-groups/audited-line", null, asOperator)
                  .status())
          .isEqualTo(200);
      assertThat(api.admin("DELETE", "/api/v1/ca-certificates/audited-line", null).status())
          .isEqualTo(200);

      // A hub linked and unlinked (admin); a device's registration record deleted (operator).
      assertThat(
              api.admin("PUT", "/api/v1/hubs/audited-hub.local", "{\"allocationWeight\":3}")
                  .status())
          .isEqualTo(200);
      assertThat(api.admin("DELETE", "/api/v1/hubs/audited-hub.local", null).status())
          .isEqualTo(200);
      Enrolled device = EstEnrollment.deviceId(server, "audited-device");
      assertThat(api.register(api.device(device), "audited-device", "{}").status()).isEqualTo(202);
      assertThat(
              api.admin("DELETE", "/api/v1/registrations/audited-device", null, asOperator)
                  .status())
          .isEqualTo(200);
      assertThat(
              api.admin("DELETE", "/api/v1/registrations/audited-device", null, asOperator)
                  .status())
          .isEqualTo(404);

      List<AuditRecord> all = log.all();
      AuditRecord added = only(all, AuditEvent.CA_CERTIFICATE_ADDED, "audited-line");
      assertThat(added.actor()).isEqualTo("token:config");
      assertThat(added.subject()).isEqualTo(caSubject);
      assertThat(added.details()).contains(thumbprint, "\"verified\":\"false\"");
      assertThat(only(all, AuditEvent.CA_CERTIFICATE_CODE_ISSUED, "audited-line").actor())
          .isEqualTo("token:config");
      AuditRecord verified = only(all, AuditEvent.CA_CERTIFICATE_VERIFIED, "audited-line");
      assertThat(verified.actor()).isEqualTo("token:config");
      assertThat(verified.details()).contains("\"verified\":\"true\"");
      AuditRecord created = only(all, AuditEvent.ENROLLMENT_CREATED, "audited-line");
      assertThat(created.actor()).isEqualTo(operator);
      assertThat(created.details())
          .contains("\"kind\":\"group\"", "\"caCertificate\":\"audited-line\"", thumbprint);
      AuditRecord replaced = only(all, AuditEvent.ENROLLMENT_REPLACED, "audited-line");
      assertThat(replaced.actor()).isEqualTo(operator);
      assertThat(replaced.details()).contains("\"enabled\":\"false\"");
      assertThat(only(all, AuditEvent.ENROLLMENT_DELETED, "audited-line").actor())
          .as("one deletion: the auditor's attempt changed nothing")
          .isEqualTo(operator);
      AuditRecord caDeleted = only(all, AuditEvent.CA_CERTIFICATE_DELETED, "audited-line");
      assertThat(caDeleted.actor())
          .as("one deletion: the refused one (in use) changed nothing")
          .isEqualTo("token:config");
      assertThat(caDeleted.subject()).isEqualTo(caSubject);
      AuditRecord linked = only(all, AuditEvent.HUB_LINKED, "audited-hub.local");
      assertThat(linked.actor()).isEqualTo("token:config");
      assertThat(linked.details()).contains("\"weight\":\"3\"");
      assertThat(only(all, AuditEvent.HUB_UNLINKED, "audited-hub.local").actor())
          .isEqualTo("token:config");
      AuditRecord unregistered = only(all, AuditEvent.REGISTRATION_DELETED, "audited-device");
      assertThat(unregistered.actor()).isEqualTo(operator);
      assertThat(unregistered.details())
          .contains("\"enrollmentId\":\"" + Quickstart.GROUP + "\"", Quickstart.HUB);
      // The quickstart's own provisioning setup is the system's.
      assertThat(only(all, AuditEvent.ENROLLMENT_CREATED, Quickstart.GROUP).actor())
          .isEqualTo("system");
      // What an operator wrote as an initial twin is no attestation: it stays out of the log.
      assertThat(all).noneSatisfy(r -> assertThat(r.toString()).contains("twin-value-7q"));
      assertThat(log.verify().ok()).isTrue();
    }
  }

  /** The one record of {@code event} whose details name {@code detail}. */
  private static AuditRecord only(List<AuditRecord> all, String event, String detail) {
    List<AuditRecord> found =
        all.stream()
            .filter(r -> r.event().equals(event) && r.details().contains("\"" + detail + "\""))
            .toList();
    assertThat(found).as("%s naming %s in %s", event, detail, all).hasSize(1);
    return found.get(0);
  }

  private static AuditRecord one(List<AuditRecord> all, String event) {
    List<AuditRecord> found = all.stream().filter(r -> r.event().equals(event)).toList();
    assertThat(found).as(event).hasSize(1);
    return found.get(0);
  }

  private static String actorOf(List<AuditRecord> all, String event, String detail) {
    return all.stream()
        .filter(r -> r.event().equals(event) && r.details().contains("\"" + detail + "\""))
        .map(AuditRecord::actor)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + event + " naming " + detail + ": " + all));
  }

  private static String pemBody(String pem) {
    return pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
  }

  private static String issuedSerial(QuickstartServer server, String subject) {
    return server.server().certificates().findBySubject(subject, 1).get(0).serial().toString(16);
  }

  private static int enroll(
      QuickstartServer server,
      String operation,
      String header,
      String value,
      KeyPair key,
      String subject)
      throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(TestPki.tls(server.root(), null, null))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.labelUrl("idevid") + operation))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/pkcs10")
            .header(header, value)
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(EstBase64.encode(TestPki.csr(key, subject))))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static int wrongAdminToken(QuickstartServer server, String token) throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(TestPki.tls(server.root(), null, null)).build();
    return client
        .send(
            HttpRequest.newBuilder(URI.create(server.adminUrl() + "/api/v1/secrets"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
