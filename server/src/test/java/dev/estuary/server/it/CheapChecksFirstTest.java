package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.EstEnrollment.Enrolled;
import dev.estuary.server.testing.HostileCsrs;
import dev.estuary.server.testing.QuickstartServer;
import java.net.http.HttpClient;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, point 3: route, scope, authentication and the key policy come before any signature is
 * verified, over real HTTPS. Each hostile CSR carries a random signature: a server that verified it
 * first would answer "proof of possession failed" (after seconds of CPU); these answers name the
 * check that refused it instead. Timings are in docs/benchmarks.md, not here.
 */
@Timeout(120)
class CheapChecksFirstTest {
  static QuickstartServer server;
  static Dps dps;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server = QuickstartServer.shared();
    dps = new Dps(server);
  }

  static String registrationBody(String registrationId, byte[] csr) {
    return "{\"registrationId\":\""
        + registrationId
        + "\",\"csr\":\""
        + Base64.getEncoder().encodeToString(csr)
        + "\"}";
  }

  long issued() {
    return server.server().certificates().count();
  }

  @Test
  void dpsUnauthenticatedRsa16384ToAMadeUpScopeIsRefusedForItsScope() throws Exception {
    long before = issued();
    Dps.Reply r =
        dps.register(
            dps.device(null, null),
            "0neMADEUP00",
            "victim",
            registrationBody("victim", HostileCsrs.rsa16384("victim")),
            Dps.API_VERSION);
    ProvisioningDeviceApiTest.assertError(r, 404, 404001, "unknown ID scope '0neMADEUP00'");
    assertThat(issued()).isEqualTo(before);
  }

  @Test
  void dpsUnauthenticatedRsa16384ToTheRealScopeIsRefusedForItsMissingCertificate()
      throws Exception {
    long before = issued();
    Dps.Reply r =
        dps.register(
            dps.device(null, null),
            "victim",
            registrationBody("victim", HostileCsrs.rsa16384("victim")));
    ProvisioningDeviceApiTest.assertError(
        r, 401, 401002, "no TLS client certificate was presented");
    assertThat(issued()).isEqualTo(before);
  }

  @Test
  void dpsACertificateForAnotherNameIsRefusedBeforeTheBodyIsRead() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "cheap-other");
    Dps.Reply r =
        dps.register(
            dps.device(device),
            "cheap-victim",
            registrationBody("cheap-victim", HostileCsrs.rsa16384("cheap-victim")));
    ProvisioningDeviceApiTest.assertError(
        r, 401, 401002, "is not the registration id 'cheap-victim'");
  }

  @Test
  void dpsAnAttestedDeviceAskingForRsa16384IsRefusedByTheKeyPolicy() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "cheap-rsa");
    long before = issued();
    Dps.Reply r =
        dps.register(
            dps.device(device),
            "cheap-rsa",
            registrationBody("cheap-rsa", HostileCsrs.rsa16384("cheap-rsa")));
    ProvisioningDeviceApiTest.assertError(r, 400, 400004, "key RSA 16384 is not accepted");
    assertThat(r.json().get("message").asText()).doesNotContain("proof of possession");
    assertThat(issued()).isEqualTo(before);
  }

  @Test
  void dpsAnAttestedDeviceAskingForDsa16384IsRefusedByTheKeyPolicy() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "cheap-dsa");
    long before = issued();
    Dps.Reply r =
        dps.register(
            dps.device(device),
            "cheap-dsa",
            registrationBody("cheap-dsa", HostileCsrs.dsa16384("cheap-dsa")));
    ProvisioningDeviceApiTest.assertError(r, 400, 400004, "key DSA is not accepted");
    assertThat(issued()).isEqualTo(before);
  }

  @Test
  void estAnAuthenticatedDeviceIdClientAskingForRsa16384IsRefused() throws Exception {
    Enrolled idevid = EstEnrollment.idevid(server, "cheap-est-rsa");
    long before = issued();
    try (HttpClient client = Est.client(server.root(), idevid.chain(), idevid.key().getPrivate())) {
      Est.Reply r =
          Est.enroll(
              client,
              server.labelUrl("device-id") + "simpleenroll",
              HostileCsrs.rsa16384("cheap-est-rsa"));
      BadInputTest.assertRefused(r, 400, "key RSA 16384 is not accepted", "RSA 2048-4096");
      assertThat(r.text()).doesNotContain("proof of possession");
    }
    assertThat(issued()).isEqualTo(before);
  }

  @Test
  void estDsa16384IsRefused() throws Exception {
    Enrolled idevid = EstEnrollment.idevid(server, "cheap-est-dsa");
    long before = issued();
    try (HttpClient client = Est.client(server.root(), idevid.chain(), idevid.key().getPrivate())) {
      Est.Reply r =
          Est.enroll(
              client,
              server.labelUrl("device-id") + "simpleenroll",
              HostileCsrs.dsa16384("cheap-est-dsa"));
      BadInputTest.assertRefused(r, 400, "key DSA is not accepted");
    }
    assertThat(issued()).isEqualTo(before);
  }

  @Test
  void estAnEcKeyWithoutCurveParametersGetsAClearReason() throws Exception {
    try (HttpClient client = Est.client(server.root())) {
      Est.Reply r =
          Est.enroll(
              client,
              server.labelUrl("idevid") + "simpleenroll",
              HostileCsrs.ecWithoutParameters("no-curve"),
              "Secret-Value",
              server.factorySecret());
      BadInputTest.assertRefused(r, 400, "EC key in the request has no curve parameters");
      assertThat(r.text())
          .doesNotContainIgnoringCase("NullPointer")
          .doesNotContain("Cannot invoke");
    }
  }
}
