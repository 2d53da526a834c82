package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revocation is one decision used everywhere: revoking an Edge CA this server issued refuses a
 * certificate beneath it on every label (and on the provisioning API), and a disabled device's
 * renewals and registrations are refused until it is enabled again, its history kept.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RevocationEverywhereTest {
  @TempDir static Path tmp;
  static QuickstartServer server;
  static Dps dps;

  /** A label that trusts an Edge CA (as an operator could, for workloads beneath it). */
  static final String WORKLOAD_LABEL =
      """

      [labels.edge-workload]
      ca = "device-id-ca"
      auth = ["mtls"]
      trust = ["edge-trust.pem"]
      """;

  static EstEnrollment.Enrolled idevid;
  static X509Certificate edgeCa;
  static IssuingCa edgeCaSigner;

  @BeforeAll
  static void start() throws Exception {
    Path data = tmp.resolve("data");
    server = QuickstartServer.start(data);
    // An Edge CA for a device, as the Azure identity service asks for it (mTLS with its IDevID).
    idevid = EstEnrollment.idevid(server, "edge-device-1");
    KeyPair edgeKey = TestPki.key("ec-p256");
    byte[] csr =
        TestPki.csr(
            edgeKey,
            "CN=aziot-edge CA",
            new Extension(
                Extension.basicConstraints,
                true,
                new DEROctetString(new BasicConstraints(0).getEncoded())),
            new Extension(
                Extension.keyUsage,
                true,
                new DEROctetString(
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature).getEncoded())));
    Est.Reply r =
        Est.enroll(
            Est.client(server.root(), idevid.chain(), idevid.key().getPrivate()),
            server.labelUrl("edge-ca") + "simpleenroll",
            csr);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    edgeCa = CertsOnlyPkcs7.decode(EstBase64.decode(r.body())).get(0);
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(edgeCa);
    chain.addAll(server.server().labels().get("edge-ca").ca().chain());
    edgeCaSigner = new IssuingCa("edge", chain, edgeKey.getPrivate(), null);
    Pkix.writePem(data.resolve("edge-trust.pem"), edgeCa);
    Path toml = data.resolve("server.toml");
    Files.writeString(toml, Files.readString(toml) + WORKLOAD_LABEL);
    server.restart();
    dps = new Dps(server);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** A leaf the device's Edge CA signs (a module's certificate), with its key. */
  static EstEnrollment.Enrolled leafUnderEdgeCa(String cn) {
    KeyPair key = TestPki.key("ec-p256");
    Instant now = Instant.now();
    X509Certificate leaf =
        edgeCaSigner.sign(
            new IssueOrder(
                new X500Name("CN=" + cn),
                null,
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
                CertificateProfile.clientIdentity(Duration.ofDays(1)),
                new BigInteger(64, Pkix.RANDOM).setBit(63),
                now.minusSeconds(60),
                now.plus(Duration.ofDays(1))));
    return new EstEnrollment.Enrolled(key, List.of(leaf, edgeCa));
  }

  static Est.Reply enroll(String label, EstEnrollment.Enrolled with, String cn) throws Exception {
    HttpClient client = Est.client(server.root(), with.chain(), with.key().getPrivate());
    return Est.enroll(
        client,
        server.estUrl() + "/" + label + "/simpleenroll",
        TestPki.csr(TestPki.key("ec-p256"), "CN=" + cn));
  }

  @Test
  void revokingAnEdgeCaRefusesALeafBeneathItOnEveryLabel() throws Exception {
    EstEnrollment.Enrolled workload = leafUnderEdgeCa("module-1");
    // Before: the label that trusts the Edge CA accepts its leaf (so the refusal below is the
    // revocation's doing).
    Est.Reply before = enroll("edge-workload", workload, "module-1");
    assertThat(before.status()).as(before.toString()).isEqualTo(200);

    Dps.Reply revoked =
        dps.admin(
            "POST",
            "/api/v1/certificates/" + edgeCa.getSerialNumber().toString(16) + "/revoke",
            "{\"reason\":\"cACompromise\"}");
    assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);

    EstEnrollment.Enrolled another = leafUnderEdgeCa("module-2");
    for (String label : server.server().labels().keySet()) {
      Est.Reply after = enroll(label, another, "module-2");
      assertThat(after.status()).as(label + ": " + after).isIn(401, 403);
    }
    assertThat(enroll("edge-workload", another, "module-2").text()).contains("revoked");
    // The provisioning API refuses it too.
    Dps.Reply registration =
        dps.register(
            dps.device(another.chain(), another), "module-2", "{\"registrationId\":\"module-2\"}");
    assertThat(registration.status()).as(registration.body()).isEqualTo(401);

    // And the world can see it: OCSP says the Edge CA is revoked, with its reason.
    Path dir = Files.createDirectories(tmp.resolve("edge-ocsp"));
    Pkix.writePem(dir.resolve("edge.pem"), edgeCa);
    Pkix.writePem(
        dir.resolve("issuer.pem"), server.server().labels().get("edge-ca").ca().certificate());
    Pkix.writePem(dir.resolve("root.pem"), server.root());
    Shell.Result ocsp =
        Shell.ok(
            dir,
            "openssl ocsp -issuer issuer.pem -CAfile root.pem -cert edge.pem -url https://localhost:"
                + server.estPort()
                + "/pki/ocsp");
    assertThat(ocsp.stdout()).contains("edge.pem: revoked").contains("Reason: cACompromise");
  }

  @Test
  void aDisabledDeviceIsRefusedRenewalAndRegistrationUntilEnabled() throws Exception {
    EstEnrollment.Enrolled idevidOfDevice = EstEnrollment.idevid(server, "disable-me-idevid");
    EstEnrollment.Enrolled device = EstEnrollment.deviceId(server, idevidOfDevice, "disable-me");
    EstEnrollment.Enrolled other = EstEnrollment.deviceId(server, "stays-enabled");
    Dps.Reply first =
        dps.register(dps.device(device), "disable-me", "{\"registrationId\":\"disable-me\"}");
    assertThat(first.status()).as(first.body()).isEqualTo(202);

    Dps.Reply disabled =
        dps.admin("POST", "/api/v1/devices/disable-me/disable", "{\"note\":\"stolen\"}");
    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
    assertThat(disabled.json().get("disabled").asBoolean()).isTrue();

    // Renewal with its own certificate, and with its IDevID: refused.
    Est.Reply renew = enroll("device-id", device, "disable-me");
    assertThat(renew.status()).as(renew.toString()).isEqualTo(401);
    assertThat(renew.text()).contains("disabled");
    assertThat(enroll("device-id", idevidOfDevice, "disable-me").status()).isEqualTo(401);
    // Registration: refused with Estuary's code.
    Dps.Reply registration =
        dps.register(dps.device(device), "disable-me", "{\"registrationId\":\"disable-me\"}");
    assertThat(registration.status()).as(registration.body()).isEqualTo(403);
    assertThat(registration.json().get("errorCode").asInt()).isEqualTo(403003);
    // Another device is untouched.
    assertThat(enroll("device-id", other, "stays-enabled").status()).isEqualTo(200);

    // Its history is kept: the certificates and the registration are still there.
    JsonNode shown = dps.admin("GET", "/api/v1/devices/disable-me", null).json();
    assertThat(shown.get("disabled").asBoolean()).isTrue();
    assertThat(shown.get("note").asText()).isEqualTo("stolen");
    assertThat(shown.get("registration").get("assignedHub").asText()).isNotEmpty();
    assertThat(shown.get("certificates").size()).isGreaterThanOrEqualTo(1);

    Dps.Reply enabled = dps.admin("POST", "/api/v1/devices/disable-me/enable", null);
    assertThat(enabled.json().get("disabled").asBoolean()).isFalse();
    assertThat(enabled.json().get("wasDisabled").asBoolean()).isTrue();
    Est.Reply again = enroll("device-id", device, "disable-me");
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    Dps.Reply reRegistration =
        dps.register(dps.device(device), "disable-me", "{\"registrationId\":\"disable-me\"}");
    assertThat(reRegistration.status()).as(reRegistration.body()).isEqualTo(202);
  }
}
