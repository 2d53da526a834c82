package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.pki.Certificates;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Pem;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.quickstart.Quickstart;
import dev.estuary.server.store.RegistrationRecord;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.EstEnrollment.Enrolled;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 4: the DPS device API on the quickstart server's device port, over real TLS with device
 * certificates from its own EST labels: the wire shape real clients depend on (docs/wire.md), the
 * re-registration after a renewal, CSR issuance, and each refusal with its exact status and code.
 */
@Timeout(120)
class ProvisioningDeviceApiTest {
  static QuickstartServer server;
  static Dps dps;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server = QuickstartServer.shared();
    dps = new Dps(server);
  }

  @Test
  void quickstartPublishesTheEndpointAndIdScope() {
    assertThat(server.info().get("dps_global_endpoint").asText())
        .isEqualTo("https://localhost:" + server.estPort());
    assertThat(server.info().get("id_scope").asText()).matches("0ne[0-9A-F]{8}");
    assertThat(server.info().get("iot_hub").asText()).isEqualTo(Quickstart.HUB);
    assertThat(server.info().get("enrollment_group").asText()).isEqualTo(Quickstart.GROUP);
  }

  @Test
  void registerAnswers202AssigningWithRetryAfterAndLocation() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "wire-202");
    Dps.Reply r = dps.register(dps.device(device), "wire-202", "{\"registrationId\":\"wire-202\"}");

    assertThat(r.status()).as("%s", r).isEqualTo(202);
    assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(r.header("Retry-After")).isEqualTo("1");
    JsonNode body = r.json();
    String operationId = body.get("operationId").asText();
    assertThat(operationId).isNotBlank();
    assertThat(r.header("Location"))
        .isEqualTo(
            "/"
                + dps.scope()
                + "/registrations/wire-202/operations/"
                + operationId
                + "?api-version="
                + Dps.API_VERSION);
    assertThat(body.get("status").asText()).isEqualTo("assigning");
    assertThat(body.get("registrationState"))
        .isEqualTo(Dps.JSON.readTree("{\"registrationId\":\"wire-202\",\"status\":\"assigning\"}"));
    assertThat(body.size()).isEqualTo(3);
  }

  @Test
  void theOperationAnswersAssignedWithTheWholeRegistrationState() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "wire-assigned");
    Instant before = Instant.now().minusSeconds(1);
    Dps.Reply r =
        dps.registerAndPoll(
            dps.device(device),
            "wire-assigned",
            "{\"registrationId\":\"wire-assigned\"}",
            Dps.API_VERSION);

    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    JsonNode op = r.json();
    assertThat(op.get("status").asText()).isEqualTo("assigned");
    JsonNode s = op.get("registrationState");
    assertThat(s.get("registrationId").asText()).isEqualTo("wire-assigned");
    assertThat(s.get("assignedHub").asText()).isEqualTo(Quickstart.HUB);
    assertThat(s.get("deviceId").asText()).isEqualTo("wire-assigned");
    assertThat(s.get("status").asText()).isEqualTo("assigned");
    assertThat(s.get("substatus").asText()).isEqualTo("initialAssignment");
    assertThat(Instant.parse(s.get("createdDateTimeUtc").asText())).isAfter(before);
    assertThat(s.get("lastUpdatedDateTimeUtc").asText())
        .isEqualTo(s.get("createdDateTimeUtc").asText());
    assertThat(s.get("etag").asText()).isNotBlank();
    assertThat(s.has("payload")).as("the quickstart group has no initial twin").isFalse();
    assertThat(s.get("x509").get("enrollmentGroupId").asText()).isEqualTo(Quickstart.GROUP);
    JsonNode info = s.get("x509").get("certificateInfo");
    X509Certificate leaf = device.leaf();
    assertThat(info.get("subjectName").asText()).isEqualTo("CN=wire-assigned");
    assertThat(info.get("issuerName").asText()).isEqualTo(leaf.getIssuerX500Principal().getName());
    assertThat(info.get("sha1Thumbprint").asText())
        .isEqualTo(Thumbprints.sha1(leaf).toUpperCase(Locale.ROOT));
    assertThat(info.get("sha256Thumbprint").asText())
        .isEqualTo(Thumbprints.sha256(leaf).toUpperCase(Locale.ROOT));
    assertThat(info.get("serialNumber").asText())
        .isEqualTo(HexFormat.of().withUpperCase().formatHex(leaf.getSerialNumber().toByteArray()));
    assertThat(Instant.parse(info.get("notBeforeUtc").asText()))
        .isEqualTo(leaf.getNotBefore().toInstant());
    assertThat(Instant.parse(info.get("notAfterUtc").asText()))
        .isEqualTo(leaf.getNotAfter().toInstant());
    assertThat(info.get("version").asInt()).isEqualTo(3);
  }

  @Test
  void anOperationGetWithABodyIsServed() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "wire-get-body");
    HttpClient client = dps.device(device);
    Dps.Reply accepted =
        dps.register(client, "wire-get-body", "{\"registrationId\":\"wire-get-body\"}");

    Dps.Reply r =
        dps.poll(client, accepted.header("Location"), "{\"registrationId\":\"wire-get-body\"}");

    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.json().get("status").asText()).isEqualTo("assigned");
  }

  @Test
  void anyApiVersionAndNoneAreAccepted() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "wire-versions");
    HttpClient client = dps.device(device);
    for (String v :
        new String[] {
          "2019-03-31", "2021-06-01", "2021-10-01", "2025-07-01-preview", "2026-04-01", null
        }) {
      Dps.Reply r =
          dps.register(
              client, dps.scope(), "wire-versions", "{\"registrationId\":\"wire-versions\"}", v);
      assertThat(r.status()).as("api-version %s: %s", v, r).isEqualTo(202);
    }
  }

  @Test
  void aPayloadOfAnyJsonTypeIsAccepted() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "wire-payload");
    HttpClient client = dps.device(device);
    for (String payload :
        new String[] {
          "\"a string\"", "42", "[1, \"two\"]", "{\"modelId\": \"dtmi:x;1\"}", "null", "true"
        }) {
      Dps.Reply r =
          dps.register(
              client,
              "wire-payload",
              "{\"registrationId\":\"wire-payload\",\"payload\":" + payload + "}");
      assertThat(r.status()).as("payload %s: %s", payload, r).isEqualTo(202);
    }
    Dps.Reply empty = dps.register(client, "wire-payload", null);
    assertThat(empty.status()).as("no body at all: %s", empty).isEqualTo(202);
  }

  @Test
  void theStatusLookupAnswersTheCurrentRegistrationState() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "wire-status");
    HttpClient client = dps.device(device);
    Dps.Reply before = dps.status(client, "wire-status");
    assertError(before, 404, 404003, "has not registered");

    dps.registerAndPoll(
        client, "wire-status", "{\"registrationId\":\"wire-status\"}", Dps.API_VERSION);
    Dps.Reply r = dps.status(client, "wire-status");

    assertThat(r.status()).as("%s", r).isEqualTo(200);
    JsonNode s = r.json();
    assertThat(s.get("registrationId").asText()).isEqualTo("wire-status");
    assertThat(s.get("assignedHub").asText()).isEqualTo(Quickstart.HUB);
    assertThat(s.get("status").asText()).isEqualTo("assigned");
  }

  @Test
  void reRegistrationWithARenewedCertificateIsIdempotentAndKeepsTheHub() throws Exception {
    Enrolled first = EstEnrollment.deviceId(server, "renewing-device");
    JsonNode s1 =
        dps.registerAndPoll(
                dps.device(first),
                "renewing-device",
                "{\"registrationId\":\"renewing-device\"}",
                "2021-10-01")
            .json()
            .get("registrationState");
    assertThat(s1.get("substatus").asText()).isEqualTo("initialAssignment");

    // The device renews over EST with its device-id certificate, then registers again.
    Enrolled renewed = EstEnrollment.deviceId(server, first, "renewing-device");
    assertThat(renewed.leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
    HttpClient client = dps.device(renewed);
    JsonNode s2 =
        dps.registerAndPoll(
                client, "renewing-device", "{\"registrationId\":\"renewing-device\"}", "2021-10-01")
            .json()
            .get("registrationState");
    JsonNode s3 =
        dps.registerAndPoll(
                client, "renewing-device", "{\"registrationId\":\"renewing-device\"}", "2019-03-31")
            .json()
            .get("registrationState");

    for (JsonNode s : List.of(s2, s3)) {
      assertThat(s.get("assignedHub").asText()).isEqualTo(s1.get("assignedHub").asText());
      assertThat(s.get("deviceId").asText()).isEqualTo("renewing-device");
      assertThat(s.get("createdDateTimeUtc").asText())
          .as("the same registration")
          .isEqualTo(s1.get("createdDateTimeUtc").asText());
      assertThat(s.get("x509").get("certificateInfo").get("sha256Thumbprint").asText())
          .isEqualTo(Thumbprints.sha256(renewed.leaf()).toUpperCase(Locale.ROOT));
    }
    assertThat(s2.get("substatus").asText())
        .as("api-version 2019-04-15 and later")
        .isEqualTo("reprovisionedToInitialAssignment");
    assertThat(s3.get("substatus").asText()).as("before 2019-04-15").isEqualTo("initialAssignment");
    RegistrationRecord record =
        server.server().registrations().find("renewing-device").orElseThrow();
    assertThat(record.certificateSha256()).isEqualTo(Thumbprints.sha256(renewed.leaf()));
    assertThat(record.assignedHub()).isEqualTo(Quickstart.HUB);
  }

  @Test
  void aCsrIsSignedByTheLabelTheGroupNames() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "csr-device");
    KeyPair next = TestPki.key("ec-p256");
    String csr = Base64.getEncoder().encodeToString(TestPki.csr(next, "CN=csr-device"));
    Dps.Reply r =
        dps.registerAndPoll(
            dps.device(device),
            "csr-device",
            "{\"registrationId\":\"csr-device\",\"csr\":\"" + csr + "\"}",
            "2025-07-01-preview");

    JsonNode chain = r.json().get("registrationState").get("issuedCertificateChain");
    assertThat(chain).as("%s", r).isNotNull();
    List<X509Certificate> issued =
        StreamSupport.stream(chain.spliterator(), false)
            .map(n -> Certificates.decode(Base64.getDecoder().decode(n.asText())))
            .toList();
    IssuingCa deviceIdCa = server.server().labels().get("device-id").ca();
    assertThat(Pkix.cn(issued.getFirst())).isEqualTo("csr-device");
    assertThat(issued.getFirst().getPublicKey()).isEqualTo(next.getPublic());
    issued.getFirst().verify(deviceIdCa.certificate().getPublicKey());
    assertThat(issued.get(1)).isEqualTo(deviceIdCa.certificate());
    assertThat(
            server
                .server()
                .certificates()
                .findBySerial(issued.getFirst().getSerialNumber())
                .orElseThrow()
                .gate())
        .isEqualTo("dps");
  }

  @Test
  void aCsrForAnotherNameIsRefused() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "csr-liar");
    String csr =
        Base64.getEncoder().encodeToString(TestPki.csr(TestPki.key("ec-p256"), "CN=someone-else"));
    Dps.Reply r = dps.register(dps.device(device), "csr-liar", "{\"csr\":\"" + csr + "\"}");
    assertError(r, 400, 400004, "commonName 'someone-else'");
  }

  // ---- refusals: status, six-digit code, x-ms-error-code, JSON body ----

  @Test
  void aCertificateWhoseCnIsNotTheRegistrationIdIsRefused() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "cn-is-this");
    Dps.Reply r =
        dps.register(
            dps.device(device), "path-says-that", "{\"registrationId\":\"path-says-that\"}");
    assertError(r, 401, 401002, "CN 'cn-is-this' is not the registration id 'path-says-that'");
  }

  @Test
  void aChainToAnUnknownCaIsRefused() throws Exception {
    IssuingCa stranger = Pkix.strangerCa("Unknown Device CA");
    Enrolled device = selfMade(stranger, "stranger-device");
    Dps.Reply r = dps.register(dps.device(device), "stranger-device", "{}");
    assertError(r, 401, 401002, "leads to the CA certificate of no enrollment group");
  }

  @Test
  void aChainToAnUnverifiedCaIsRefused() throws Exception {
    IssuingCa pending = Pkix.strangerCa("Unverified Device CA");
    uploadCa("unverified-ca", pending.certificate(), false);
    putGroup("unverified-group", "unverified-ca", "enabled");
    Enrolled device = selfMade(pending, "pending-device");

    Dps.Reply r = dps.register(dps.device(device), "pending-device", "{}");

    assertError(
        r,
        401,
        401002,
        "CA certificate 'unverified-ca' of enrollment group 'unverified-group' is not verified");
  }

  @Test
  void aDisabledGroupRefuses() throws Exception {
    IssuingCa ca = Pkix.strangerCa("Disabled Group CA");
    uploadCa("disabled-group-ca", ca.certificate(), true);
    putGroup("disabled-group", "disabled-group-ca", "disabled");
    Enrolled device = selfMade(ca, "disabled-group-device");

    Dps.Reply r = dps.register(dps.device(device), "disabled-group-device", "{}");

    assertError(r, 403, 403001, "enrollment group 'disabled-group' is disabled");
  }

  @Test
  void aDisabledIndividualEnrollmentOverridesTheEnabledGroup() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "blocked-device");
    Dps.Reply put =
        dps.admin(
            "PUT",
            "/api/v1/individual-enrollments/blocked-device",
            "{\"attestation\":{\"type\":\"x509\",\"x509\":{\"caReferences\":{\"primary\":\"device-id-ca\"}}},"
                + "\"provisioningStatus\":\"disabled\"}");
    assertThat(put.status()).as("%s", put).isEqualTo(200);

    Dps.Reply r = dps.register(dps.device(device), "blocked-device", "{}");

    assertError(r, 403, 403001, "individual enrollment 'blocked-device' is disabled");
  }

  @Test
  void anEnabledIndividualEnrollmentWinsOverTheGroup() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "special-device");
    assertThat(dps.admin("PUT", "/api/v1/hubs/special-hub.estuary.local", "{}").status())
        .isEqualTo(200);
    Dps.Reply put =
        dps.admin(
            "PUT",
            "/api/v1/individual-enrollments/special-device",
            "{\"deviceId\":\"special-42\",\"attestation\":{\"x509\":{\"caReferences\":{\"primary\":\"device-id-ca\"}}},"
                + "\"allocationPolicy\":\"static\",\"iotHubs\":[\"special-hub.estuary.local\"],\"initialTwin\":{\"tags\":{\"site\":\"lab\"}}}");
    try {
      assertThat(put.status()).as("%s", put).isEqualTo(200);

      JsonNode s =
          dps.registerAndPoll(dps.device(device), "special-device", "{}", Dps.API_VERSION)
              .json()
              .get("registrationState");

      assertThat(s.get("assignedHub").asText()).isEqualTo("special-hub.estuary.local");
      assertThat(s.get("deviceId").asText()).isEqualTo("special-42");
      assertThat(s.get("x509").has("enrollmentGroupId")).isFalse();
      assertThat(s.get("payload")).isEqualTo(Dps.JSON.readTree("{\"tags\":{\"site\":\"lab\"}}"));
    } finally { // other tests expect the quickstart group's devices on its one hub
      dps.admin("DELETE", "/api/v1/individual-enrollments/special-device", null);
      assertThat(dps.admin("DELETE", "/api/v1/hubs/special-hub.estuary.local", null).status())
          .isEqualTo(200);
    }
  }

  @Test
  void aRevokedCertificateIsRefused() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "revoked-device");
    String serial = device.leaf().getSerialNumber().toString(16);
    assertThat(
            dps.admin(
                    "POST",
                    "/api/v1/certificates/" + serial + "/revoke",
                    "{\"reason\":\"keyCompromise\"}")
                .status())
        .isEqualTo(200);

    Dps.Reply r = dps.register(dps.device(device), "revoked-device", "{}");

    assertError(r, 401, 401002, "serial " + serial + " was revoked");
  }

  @Test
  void noClientCertificateIsRefused() throws Exception {
    Dps.Reply r = dps.register(dps.device(null, null), "anonymous", "{}");
    assertError(r, 401, 401002, "no TLS client certificate");
  }

  @Test
  void anUnknownIdScopeIsRefused() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "wrong-scope");
    Dps.Reply r =
        dps.register(dps.device(device), "0neFFFFFFFF", "wrong-scope", "{}", Dps.API_VERSION);
    assertError(r, 404, 404001, "unknown ID scope '0neFFFFFFFF'");
  }

  @Test
  void malformedJsonIsRefused() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "bad-json");
    HttpClient client = dps.device(device);
    assertError(
        dps.register(client, "bad-json", "{\"registrationId\": "),
        400,
        400004,
        "the body is not JSON");
    assertError(dps.register(client, "bad-json", "[1, 2]"), 400, 400004, "must be a JSON object");
    assertError(
        dps.register(client, "bad-json", "{\"registrationId\":\"other\"}"),
        400,
        400004,
        "is not the registration id of the path");
  }

  @Test
  void anUnknownOperationIdIsRefused() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "no-such-op");
    HttpClient client = dps.device(device);
    Dps.Reply r =
        dps.poll(
            client,
            "/"
                + dps.scope()
                + "/registrations/no-such-op/operations/4.nope?api-version="
                + Dps.API_VERSION,
            null);
    assertError(r, 404, 404002, "no operation '4.nope'");
  }

  @Test
  void anotherDevicesOperationIsNotShown() throws Exception {
    Enrolled owner = EstEnrollment.deviceId(server, "op-owner");
    Dps.Reply accepted = dps.register(dps.device(owner), "op-owner", "{}");
    Enrolled other = EstEnrollment.deviceId(server, "op-snoop");
    String location = accepted.header("Location").replace("/op-owner/", "/op-snoop/");

    assertError(dps.poll(dps.device(other), location, null), 404, 404002, "no operation");
  }

  @Test
  void theWrongMethodIsRefusedWithAllow() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "wrong-method");
    Dps.Reply r =
        Dps.send(
            dps.device(device),
            "POST",
            dps.endpoint() + "/" + dps.scope() + "/registrations/wrong-method/register",
            "{}");
    assertError(r, 405, 405001, "use PUT");
    assertThat(r.header("Allow")).isEqualTo("PUT");
  }

  @Test
  void estIsStillServedBesideProvisioning() throws Exception {
    Dps.Reply r = Dps.send(dps.device(null, null), "GET", server.estUrl() + "/cacerts", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("application/pkcs7-mime; smime-type=certs-only");
    Dps.Reply other =
        Dps.send(dps.device(null, null), "GET", dps.endpoint() + "/somewhere/else", null);
    assertThat(other.status()).isEqualTo(404);
  }

  static void assertError(Dps.Reply r, int status, int code, String messagePart) {
    assertThat(r.status()).as("%s", r).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(r.header("x-ms-error-code")).isEqualTo(Integer.toString(code));
    JsonNode body = r.json();
    assertThat(body.get("errorCode").isInt()).as("errorCode is a JSON number").isTrue();
    assertThat(body.get("errorCode").asInt()).isEqualTo(code);
    assertThat(body.get("message").asText()).contains(messagePart);
    assertThat(body.get("trackingId").asText()).isNotBlank();
    assertThat(Instant.parse(body.get("timestampUtc").asText()))
        .isBefore(Instant.now().plusSeconds(1));
  }

  /** A device certificate for {@code cn} signed by a CA of the test's own. */
  static Enrolled selfMade(IssuingCa ca, String cn) {
    KeyPair key = TestPki.key("ec-p256");
    Instant now = Instant.now();
    X509Certificate cert =
        Pkix.clientCertificate(ca, key, cn, now.minusSeconds(60), now.plus(Duration.ofDays(1)));
    return new Enrolled(key, List.of(cert));
  }

  static void uploadCa(String name, X509Certificate ca, boolean verified) throws Exception {
    String body =
        Dps.JSON
            .createObjectNode()
            .put("name", name)
            .put("certificate", Pem.encode(ca))
            .put("verified", verified)
            .toString();
    Dps.Reply r = dps.admin("POST", "/api/v1/ca-certificates", body);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
  }

  static void putGroup(String id, String ca, String status) throws Exception {
    Dps.Reply r =
        dps.admin(
            "PUT",
            "/api/v1/enrollment-groups/" + id,
            "{\"attestation\":{\"type\":\"x509\",\"x509\":{\"caReferences\":{\"primary\":\""
                + ca
                + "\"}}},\"provisioningStatus\":\""
                + status
                + "\"}");
    assertThat(r.status()).as("%s", r).isEqualTo(200);
  }
}
