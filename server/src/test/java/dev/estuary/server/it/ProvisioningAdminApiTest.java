package dev.estuary.server.it;

import static dev.estuary.server.it.ProvisioningDeviceApiTest.selfMade;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Pem;
import dev.estuary.server.quickstart.Quickstart;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.EstEnrollment.Enrolled;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 4, point 4 and the admin side: CA certificates verified by proof of possession, enrollments
 * with etags and If-Match, linked hubs, registration records, and the OpenAPI description the admin
 * port serves.
 */
@Timeout(120)
class ProvisioningAdminApiTest {
  static QuickstartServer server;
  static Dps dps;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server = QuickstartServer.shared();
    dps = new Dps(server);
  }

  static String group(String ca, String extra) {
    return "{\"attestation\":{\"type\":\"x509\",\"x509\":{\"caReferences\":{\"primary\":\""
        + ca
        + "\"}}}"
        + extra
        + "}";
  }

  static Dps.Reply uploadCa(String name, IssuingCa ca) throws Exception {
    return uploadCa(dps, name, ca);
  }

  static Dps.Reply uploadCa(Dps dps, String name, IssuingCa ca) throws Exception {
    return dps.admin(
        "POST",
        "/api/v1/ca-certificates",
        Dps.JSON
            .createObjectNode()
            .put("name", name)
            .put("certificate", Pem.encode(ca.certificate()))
            .toString());
  }

  static String proof(IssuingCa signer, String cn) {
    Instant now = Instant.now();
    return Dps.JSON
        .createObjectNode()
        .put(
            "certificate",
            Pem.encode(
                Pkix.clientCertificate(
                    signer,
                    TestPki.key("ec-p256"),
                    cn,
                    now.minusSeconds(60),
                    now.plus(Duration.ofHours(1)))))
        .toString();
  }

  @Test
  void proofOfPossessionVerifiesACaCertificateAndItsDevicesThenRegister() throws Exception {
    IssuingCa ca = Pkix.strangerCa("Factory Line 9 CA");
    Dps.Reply uploaded = uploadCa("line-9", ca);
    assertThat(uploaded.status()).as("%s", uploaded).isEqualTo(200);
    assertThat(uploaded.json().get("verified").asBoolean()).isFalse();
    assertThat(dps.admin("PUT", "/api/v1/enrollment-groups/line-9", group("line-9", "")).status())
        .isEqualTo(200);
    Enrolled device = selfMade(ca, "line-9-device-1");
    ProvisioningDeviceApiTest.assertError(
        dps.register(dps.device(device), "line-9-device-1", "{}"), 401, 401002, "is not verified");

    Dps.Reply coded = dps.admin("POST", "/api/v1/ca-certificates/line-9/verification-code", null);
    assertThat(coded.status()).as("%s", coded).isEqualTo(200);
    String code = coded.json().get("verificationCode").asText();
    assertThat(code).matches("[0-9A-F]{48}");

    Dps.Reply wrongName =
        dps.admin("POST", "/api/v1/ca-certificates/line-9/verify", proof(ca, "not-the-code"));
    assertThat(wrongName.status()).isEqualTo(400);
    assertThat(wrongName.json().get("error").asText()).contains("not the verification code");
    Dps.Reply wrongKey =
        dps.admin(
            "POST",
            "/api/v1/ca-certificates/line-9/verify",
            proof(Pkix.strangerCa("Factory Line 9 CA"), code));
    assertThat(wrongKey.status()).isEqualTo(400);
    assertThat(wrongKey.json().get("error").asText())
        .contains("not signed by the key of CA certificate 'line-9'");
    assertThat(
            dps.admin("GET", "/api/v1/ca-certificates/line-9", null)
                .json()
                .get("verified")
                .asBoolean())
        .isFalse();

    Dps.Reply verified =
        dps.admin("POST", "/api/v1/ca-certificates/line-9/verify", proof(ca, code));
    assertThat(verified.status()).as("%s", verified).isEqualTo(200);
    assertThat(verified.json().get("verified").asBoolean()).isTrue();
    assertThat(
            dps.admin("GET", "/api/v1/ca-certificates/line-9", null)
                .json()
                .get("verified")
                .asBoolean())
        .isTrue();

    Dps.Reply registered = dps.register(dps.device(device), "line-9-device-1", "{}");
    assertThat(registered.status()).as("%s", registered).isEqualTo(202);
  }

  @Test
  void aCaCertificateUploadedAsVerifiedNeedsNoProofAndCannotBeDeletedWhileInUse() throws Exception {
    IssuingCa ca = Pkix.strangerCa("Trusted Upload CA");
    Dps.Reply r =
        dps.admin(
            "POST",
            "/api/v1/ca-certificates",
            Dps.JSON
                .createObjectNode()
                .put("name", "trusted")
                .put("certificate", Pem.encode(ca.certificate()))
                .put("verified", true)
                .toString());
    assertThat(r.json().get("verified").asBoolean()).isTrue();
    assertThat(uploadCa("trusted", ca).status()).as("same name again").isEqualTo(409);
    assertThat(dps.admin("PUT", "/api/v1/enrollment-groups/trusted", group("trusted", "")).status())
        .isEqualTo(200);

    assertThat(dps.admin("DELETE", "/api/v1/ca-certificates/trusted", null).status())
        .isEqualTo(409);
    assertThat(dps.admin("DELETE", "/api/v1/enrollment-groups/trusted", null).status())
        .isEqualTo(200);
    assertThat(dps.admin("DELETE", "/api/v1/ca-certificates/trusted", null).status())
        .isEqualTo(200);
  }

  @Test
  void aLeafCertificateIsNotAcceptedAsACaCertificate() throws Exception {
    Enrolled leaf = selfMade(Pkix.strangerCa("Some CA"), "a-leaf");
    Dps.Reply r =
        dps.admin(
            "POST",
            "/api/v1/ca-certificates",
            Dps.JSON
                .createObjectNode()
                .put("name", "leaf")
                .put("certificate", Pem.encode(leaf.leaf()))
                .toString());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").asText()).contains("not a CA certificate");
  }

  @Test
  void enrollmentWritesHonourIfMatch() throws Exception {
    Dps.Reply created =
        dps.admin(
            "PUT",
            "/api/v1/enrollment-groups/etagged",
            group("device-id-ca", ",\"capabilities\":{\"iotEdge\":true}"));
    assertThat(created.status()).as("%s", created).isEqualTo(200);
    String etag = created.json().get("etag").asText();

    Dps.Reply stale =
        dps.admin(
            "PUT",
            "/api/v1/enrollment-groups/etagged",
            group("device-id-ca", ""),
            "If-Match",
            "stale");
    assertThat(stale.status()).isEqualTo(412);
    Dps.Reply replaced =
        dps.admin(
            "PUT",
            "/api/v1/enrollment-groups/etagged",
            group("device-id-ca", ""),
            "If-Match",
            etag);
    assertThat(replaced.status()).as("%s", replaced).isEqualTo(200);
    assertThat(replaced.json().get("etag").asText()).isNotEqualTo(etag);
    assertThat(replaced.json().get("capabilities").get("iotEdge").asBoolean()).isFalse();
    assertThat(replaced.json().get("createdDateTimeUtc"))
        .isEqualTo(created.json().get("createdDateTimeUtc"));

    assertThat(
            dps.admin("DELETE", "/api/v1/enrollment-groups/etagged", null, "If-Match", etag)
                .status())
        .isEqualTo(412);
    assertThat(
            dps.admin(
                    "DELETE",
                    "/api/v1/enrollment-groups/etagged",
                    null,
                    "If-Match",
                    replaced.json().get("etag").asText())
                .status())
        .isEqualTo(200);
    assertThat(dps.admin("GET", "/api/v1/enrollment-groups/etagged", null).status()).isEqualTo(404);
  }

  @Test
  void whatAGetAnswersCanBePutBack() throws Exception {
    JsonNode quickstartGroup =
        dps.admin("GET", "/api/v1/enrollment-groups/" + Quickstart.GROUP, null).json();
    assertThat(quickstartGroup.get("capabilities").get("iotEdge").asBoolean()).isTrue();
    assertThat(quickstartGroup.get("provisioningStatus").asText()).isEqualTo("enabled");
    assertThat(quickstartGroup.get("certificateLabel").asText()).isEqualTo("device-id");

    Dps.Reply copy =
        dps.admin(
            "PUT",
            "/api/v1/enrollment-groups/copy-of-edge",
            ((ObjectNode) quickstartGroup).put("enrollmentGroupId", "copy-of-edge").toString());

    assertThat(copy.status()).as("%s", copy).isEqualTo(200);
    assertThat(dps.admin("DELETE", "/api/v1/enrollment-groups/copy-of-edge", null).status())
        .isEqualTo(200);
  }

  @Test
  void aBadEnrollmentIsRefusedNamingEveryProblem() throws Exception {
    Dps.Reply r =
        dps.admin(
            "PUT",
            "/api/v1/enrollment-groups/bad",
            group(
                "no-such-ca",
                ",\"allocationPolicy\":\"random\",\"iotHubs\":[\"nowhere.hub\"],\"certificateLabel\":\"nope\","
                    + "\"initialTwin\":\"text\",\"colour\":\"blue\""));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").asText())
        .contains(
            "no CA certificate named 'no-such-ca'",
            "'random' is not one of",
            "'nowhere.hub' is not a linked hub",
            "no label 'nope'",
            "'initialTwin' must be a JSON object",
            "unknown member 'colour'");
  }

  @Test
  void registrationRecordsAreListedPerGroupReadAndDeleted() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "listed-device");
    assertThat(dps.register(dps.device(device), "listed-device", "{}").status()).isEqualTo(202);

    JsonNode list =
        dps.admin("GET", "/api/v1/enrollment-groups/" + Quickstart.GROUP + "/registrations", null)
            .json();
    assertThat(list.findValuesAsText("registrationId")).contains("listed-device");
    JsonNode one = dps.admin("GET", "/api/v1/registrations/listed-device", null).json();
    assertThat(one.get("assignedHub").asText()).isEqualTo(Quickstart.HUB);
    assertThat(one.get("enrollmentGroupId").asText()).isEqualTo(Quickstart.GROUP);
    assertThat(one.get("substatus").asText()).isEqualTo("initialAssignment");

    assertThat(dps.admin("DELETE", "/api/v1/registrations/listed-device", null).status())
        .isEqualTo(200);
    assertThat(dps.admin("GET", "/api/v1/registrations/listed-device", null).status())
        .isEqualTo(404);
  }

  @Test
  void hubsAreLinkedAndAHubAnEnrollmentNamesStaysLinked() throws Exception {
    try {
      assertThat(
              dps.admin("PUT", "/api/v1/hubs/weighted.hub", "{\"allocationWeight\":3}")
                  .json()
                  .get("allocationWeight")
                  .asInt())
          .isEqualTo(3);
      assertThat(dps.admin("GET", "/api/v1/hubs", null).json().findValuesAsText("hostName"))
          .contains(Quickstart.HUB, "weighted.hub");
      assertThat(dps.admin("PUT", "/api/v1/hubs/bad.hub", "{\"allocationWeight\":0}").status())
          .isEqualTo(400);
      assertThat(
              dps.admin(
                      "PUT",
                      "/api/v1/enrollment-groups/pinned",
                      group("device-id-ca", ",\"iotHubs\":[\"weighted.hub\"]"))
                  .status())
          .isEqualTo(200);

      Dps.Reply refused = dps.admin("DELETE", "/api/v1/hubs/weighted.hub", null);
      assertThat(refused.status()).isEqualTo(409);
      assertThat(refused.json().get("error").asText()).contains("group 'pinned'");
    } finally { // other tests expect the quickstart group's devices on its one hub
      dps.admin("DELETE", "/api/v1/enrollment-groups/pinned", null);
      assertThat(dps.admin("DELETE", "/api/v1/hubs/weighted.hub", null).status()).isEqualTo(200);
    }
  }

  static HttpResponse<String> withoutToken(String path) throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(TestPki.tls(server.root(), null, null)).build();
    return client.send(
        HttpRequest.newBuilder(URI.create(server.adminUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theProvisioningAdminApiNeedsTheToken() throws Exception {
    assertThat(withoutToken("/api/v1/enrollment-groups").statusCode()).isEqualTo(401);
  }

  @Test
  void theOpenApiDescriptionIsServedWithoutATokenAndNamesEveryResource() throws Exception {
    HttpResponse<String> r = withoutToken("/api/v1/openapi.yaml");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/yaml; charset=utf-8");
    assertThat(r.body()).startsWith("openapi: 3.0.3");
    for (String path :
        new String[] {
          "/api/v1/health:",
          "/api/v1/secrets:",
          "/api/v1/basic-users:",
          "/api/v1/certificates:",
          "/api/v1/certificates/{serial}/revoke:",
          "/api/v1/bindings:",
          "/api/v1/bindings/{label}/{name}:",
          "/api/v1/ca-certificates:",
          "/api/v1/ca-certificates/{name}/verification-code:",
          "/api/v1/ca-certificates/{name}/verify:",
          "/api/v1/hubs/{hostName}:",
          "/api/v1/enrollment-groups/{id}:",
          "/api/v1/enrollment-groups/{id}/registrations:",
          "/api/v1/individual-enrollments/{registrationId}:",
          "/api/v1/registrations/{registrationId}:"
        }) {
      assertThat(r.body()).as(path).contains("\n  " + path + "\n");
    }
  }
}
