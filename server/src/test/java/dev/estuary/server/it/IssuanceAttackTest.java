package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.EstEnrollment.Enrolled;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.Reencoded;
import dev.estuary.server.testing.TestPki;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, points 1, 2 and 4: each attack from the review, replayed through real HTTPS against a
 * quickstart server (TLS client certificates, a re-encoded ECDSA signature, a second IDevID), now
 * refused with the status and reason docs/security.md names. Nothing is issued and the server keeps
 * serving.
 */
@Timeout(180)
class IssuanceAttackTest {
  @TempDir static Path tmp;
  static QuickstartServer server;
  static Dps dps;
  static X509Certificate root;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server = QuickstartServer.start(tmp.resolve("data"));
    dps = new Dps(server);
    root = server.root();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static X509Certificate caOf(String label) {
    return server.server().labels().get(label).ca().certificate();
  }

  /**
   * simpleenroll at {@code label} over mTLS with {@code chain}/{@code key}, for a fresh key's CSR.
   */
  static Est.Reply enroll(
      List<X509Certificate> chain,
      PrivateKey key,
      String label,
      String subject,
      Extension... extensions)
      throws Exception {
    HttpClient client = Est.client(root, chain, key);
    return Est.enroll(
        client,
        server.labelUrl(label) + "simpleenroll",
        TestPki.csr(TestPki.key("ec-p256"), subject, extensions));
  }

  static Extension[] edgeCaExtensions() throws Exception {
    return new Extension[] {
      new Extension(Extension.basicConstraints, true, new BasicConstraints(0).getEncoded()),
      new Extension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign).getEncoded())
    };
  }

  static long issued() {
    return server.server().certificates().count();
  }

  static void revoke(X509Certificate cert) throws Exception {
    Dps.Reply r =
        dps.admin(
            "POST",
            "/api/v1/certificates/" + cert.getSerialNumber().toString(16) + "/revoke",
            "{\"reason\":\"keyCompromise\"}");
    assertThat(r.status()).as("%s", r).isEqualTo(200);
  }

  /** The refusal carries its status and reasons, nothing was issued, and cacerts still answers. */
  static void assertRefused(Est.Reply r, int status, long issuedBefore, String... reasons)
      throws Exception {
    assertThat(r.status()).as("%s", r).isEqualTo(status);
    for (String reason : reasons) {
      assertThat(r.text()).contains(reason);
    }
    assertThat(issued()).as("nothing issued").isEqualTo(issuedBefore);
    assertThat(Est.get(Est.client(root), server.labelUrl("device-id") + "cacerts").status())
        .as("still serving")
        .isEqualTo(200);
  }

  static void assertDpsRefused(Dps.Reply r, int status, int code, String reason) {
    assertThat(r.status()).as("%s", r).isEqualTo(status);
    assertThat(r.json().get("errorCode").asInt()).isEqualTo(code);
    assertThat(r.header("x-ms-error-code")).isEqualTo(Integer.toString(code));
    assertThat(r.json().get("message").asText()).contains(reason);
  }

  // --- point 1: a device-held Edge CA is no trust path ---------------------------------------

  @Test
  void aLeafMintedWithADevicesEdgeCaIsRefusedOnDeviceIdAndEdgeCaEvenAfterRevocation()
      throws Exception {
    // The attack: an IDevID gets an Edge CA (CA:TRUE, pathlen 0) from edge-ca, and with its key
    // mints a clientAuth leaf for any name, presented with the Edge CA as its chain.
    Enrolled idevid = EstEnrollment.idevid(server, "edge-minter-idevid");
    KeyPair edgeKey = TestPki.key("ec-p256");
    Est.Reply got =
        Est.enroll(
            Est.client(root, idevid.chain(), idevid.key().getPrivate()),
            server.labelUrl("edge-ca") + "simpleenroll",
            TestPki.csr(edgeKey, "CN=edge-minter", edgeCaExtensions()));
    X509Certificate edgeCa = got.leaf();
    assertThat(edgeCa.getBasicConstraints()).as("a genuine Edge CA").isZero();
    IssuingCa minter = new IssuingCa("device-edge-ca", List.of(edgeCa), edgeKey.getPrivate(), null);
    KeyPair forgedKey = TestPki.key("ec-p256");
    Instant now = Instant.now();
    X509Certificate forged =
        Pkix.clientCertificate(
            minter, forgedKey, "anyone-i-like", now.minusSeconds(60), now.plus(Duration.ofDays(1)));
    forged.verify(edgeCa.getPublicKey());
    List<X509Certificate> chain = List.of(forged, edgeCa, caOf("edge-ca"));

    for (boolean revoked : new boolean[] {false, true}) {
      if (revoked) {
        revoke(edgeCa);
      }
      long before = issued();
      assertRefused(
          enroll(chain, forgedKey.getPrivate(), "device-id", "CN=anyone-i-like"),
          401,
          before,
          "not issued by a CA trusted here",
          "edge-minter");
      assertRefused(
          enroll(
              chain, forgedKey.getPrivate(), "edge-ca", "CN=another-edge-ca", edgeCaExtensions()),
          401,
          before,
          "not issued by a CA trusted here",
          "edge-minter");
    }
    // The Edge CA itself is no client identity either.
    long before = issued();
    assertRefused(
        enroll(List.of(edgeCa), edgeKey.getPrivate(), "device-id", "CN=edge-minter"),
        401,
        before,
        "CA certificate");
  }

  @Test
  void anUnknownCertificateUnderTheLabelsOwnCaIsNoFirstEnrollment() throws Exception {
    // idevid's own CA signs a certificate the idevid label never issued (a key that leaked, a
    // certificate from another label on the same CA): it renews nothing and enrolls nothing.
    IssuingCa idevidCa = Pkix.serverCa(server.dataDir(), "idevid-ca");
    KeyPair key = TestPki.key("ec-p256");
    Instant now = Instant.now();
    X509Certificate unknown =
        Pkix.clientCertificate(
            idevidCa, key, "never-issued", now.minusSeconds(60), now.plus(Duration.ofDays(1)));
    long before = issued();

    assertRefused(
        enroll(List.of(unknown), key.getPrivate(), "idevid", "CN=never-issued"),
        401,
        before,
        "is not one label 'idevid' issued");
  }

  // --- point 2: a re-encoded signature is the same (revoked) certificate --------------------

  @Test
  void aRevokedCertificateWithAReEncodedSignatureIsStillRevokedOnDeviceId() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "reencoded-est");
    revoke(device.leaf());
    X509Certificate copy = Reencoded.signature(device.leaf(), caOf("device-id").getPublicKey());
    assertThat(Thumbprints.sha256(copy))
        .as("other bytes")
        .isNotEqualTo(Thumbprints.sha256(device.leaf()));
    assertThat(copy.getTBSCertificate()).isEqualTo(device.leaf().getTBSCertificate());
    long before = issued();

    assertRefused(
        enroll(List.of(copy), device.key().getPrivate(), "device-id", "CN=reencoded-est"),
        401,
        before,
        "was revoked");
    assertRefused(
        enroll(List.of(copy), device.key().getPrivate(), "device-id", "CN=someone-else"),
        401,
        before,
        "was revoked");
    assertRefused(
        enroll(List.of(device.leaf()), device.key().getPrivate(), "device-id", "CN=reencoded-est"),
        401,
        before,
        "was revoked");
  }

  @Test
  void aRevokedCertificateWithAReEncodedSignatureIsStillRevokedOnDps() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "reencoded-dps");
    assertThat(dps.register(dps.device(device), "reencoded-dps", "{}").status()).isEqualTo(202);
    revoke(device.leaf());
    X509Certificate copy = Reencoded.signature(device.leaf(), caOf("device-id").getPublicKey());
    String csrBody =
        "{\"registrationId\":\"reencoded-dps\",\"csr\":\""
            + Base64.getEncoder()
                .encodeToString(TestPki.csr(TestPki.key("ec-p256"), "CN=reencoded-dps"))
            + "\"}";
    long before = issued();

    Dps.Reply r = dps.register(dps.device(List.of(copy), device), "reencoded-dps", csrBody);

    assertDpsRefused(r, 401, 401002, "was revoked");
    assertThat(issued()).isEqualTo(before);
    assertThat(
            server.server().registrations().find("reencoded-dps").orElseThrow().certificateSha256())
        .as("the registration still names the certificate that registered")
        .isEqualTo(Thumbprints.sha256(device.leaf()));
  }

  // --- point 4: a name belongs to the identity that got it first ----------------------------

  @Test
  void aSecondIdevidCannotTakeABoundNameUntilAnOperatorReleasesIt() throws Exception {
    Enrolled victimIdevid = EstEnrollment.idevid(server, "victim-idevid");
    Enrolled victim = EstEnrollment.deviceId(server, victimIdevid, "victim");
    Enrolled attackerIdevid = EstEnrollment.idevid(server, "attacker-idevid");
    long before = issued();

    assertRefused(
        enroll(attackerIdevid.chain(), attackerIdevid.key().getPrivate(), "device-id", "CN=victim"),
        403,
        before,
        "'victim'",
        "bound to another identity",
        "binding release device-id victim");
    // The victim renews as before, and its IDevID gets its own name again.
    assertThat(
            Pkix.cn(
                enroll(victim.chain(), victim.key().getPrivate(), "device-id", "CN=victim").leaf()))
        .isEqualTo("victim");
    assertThat(
            Pkix.cn(
                enroll(
                        victimIdevid.chain(),
                        victimIdevid.key().getPrivate(),
                        "device-id",
                        "CN=victim")
                    .leaf()))
        .isEqualTo("victim");
    // ... but no second name: one IDevID, one device.
    before = issued();
    assertRefused(
        enroll(victimIdevid.chain(), victimIdevid.key().getPrivate(), "device-id", "CN=victim-2"),
        403,
        before,
        "bound to the name 'victim'");

    // The operator sees the binding and releases it (a device replaced); the name is free again.
    JsonNode list = dps.admin("GET", "/api/v1/bindings?label=device-id", null).json();
    assertThat(list.findValuesAsText("name")).contains("victim");
    Dps.Reply released = dps.admin("DELETE", "/api/v1/bindings/device-id/victim", null);
    assertThat(released.status()).as("%s", released).isEqualTo(200);
    assertThat(dps.admin("DELETE", "/api/v1/bindings/device-id/victim", null).status())
        .isEqualTo(404);
    assertThat(
            Pkix.cn(
                enroll(
                        attackerIdevid.chain(),
                        attackerIdevid.key().getPrivate(),
                        "device-id",
                        "CN=victim")
                    .leaf()))
        .isEqualTo("victim");
  }

  @Test
  void aRegistrationIsReadReRegisteredAndPolledOnlyByTheIdentityThatRegistered() throws Exception {
    Enrolled victim = EstEnrollment.deviceId(server, "dps-victim");
    HttpClient victimClient = dps.device(victim);
    Dps.Reply accepted =
        dps.register(victimClient, "dps-victim", "{\"registrationId\":\"dps-victim\"}");
    assertThat(accepted.status()).isEqualTo(202);
    String location = accepted.header("Location");
    // A second certificate for the same name: only after an operator released the binding now
    // (before the fix any IDevID got it), from another IDevID.
    assertThat(dps.admin("DELETE", "/api/v1/bindings/device-id/dps-victim", null).status())
        .isEqualTo(200);
    Enrolled attacker =
        EstEnrollment.deviceId(
            server, EstEnrollment.idevid(server, "dps-attacker-idevid"), "dps-victim");
    HttpClient attackerClient = dps.device(attacker);
    long before = issued();

    assertDpsRefused(
        dps.status(attackerClient, "dps-victim"),
        403,
        403002,
        "bound to the identity that registered it");
    assertDpsRefused(
        dps.register(attackerClient, "dps-victim", "{\"registrationId\":\"dps-victim\"}"),
        403,
        403002,
        "bound to the identity that registered it");
    assertDpsRefused(
        dps.poll(attackerClient, location, null),
        403,
        403002,
        "polled with the certificate that registered");

    assertThat(issued()).isEqualTo(before);
    assertThat(server.server().registrations().find("dps-victim").orElseThrow().certificateSha256())
        .isEqualTo(Thumbprints.sha256(victim.leaf()));
    // The victim is unaffected: it polls, reads and re-registers.
    assertThat(dps.poll(victimClient, location, null).status()).isEqualTo(200);
    assertThat(dps.status(victimClient, "dps-victim").status()).isEqualTo(200);
    assertThat(dps.register(victimClient, "dps-victim", "{}").status()).isEqualTo(202);
  }

  @Test
  void aRenewedCertificateReRegistersAndPollsItsOwnRegistration() throws Exception {
    Enrolled first = EstEnrollment.deviceId(server, "dps-renewer");
    assertThat(dps.register(dps.device(first), "dps-renewer", "{}").status()).isEqualTo(202);
    Enrolled renewed = EstEnrollment.deviceId(server, first, "dps-renewer");

    Dps.Reply r = dps.register(dps.device(renewed), "dps-renewer", "{}");

    assertThat(r.status()).as("a renewal of the registering identity").isEqualTo(202);
    assertThat(dps.poll(dps.device(renewed), r.header("Location"), null).status()).isEqualTo(200);
  }

  // --- point 5: the label's subject and SAN policy --------------------------------------------

  static Extension san(GeneralName... names) throws Exception {
    return new Extension(
        Extension.subjectAlternativeName, false, new GeneralNames(names).getEncoded());
  }

  /** A CSR for {@code subject} built from its encoding, so no string parsing cleans it up. */
  static byte[] csr(X500Name subject) throws Exception {
    KeyPair key = TestPki.key("ec-p256");
    return new JcaPKCS10CertificationRequestBuilder(subject, key.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
        .getEncoded();
  }

  @Test
  void namesTheLabelsPolicyDoesNotAllowAreRefused() throws Exception {
    Enrolled idevid = EstEnrollment.idevid(server, "names-idevid");
    HttpClient client = Est.client(root, idevid.chain(), idevid.key().getPrivate());
    String url = server.labelUrl("device-id") + "simpleenroll";
    ASN1EncodableVector upn = new ASN1EncodableVector();
    upn.add(new ASN1ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"));
    upn.add(new DERTaggedObject(true, 0, new DERUTF8String("administrator@corp.example")));
    Map<String, byte[]> attempts = new LinkedHashMap<>();
    KeyPair k = TestPki.key("ec-p256");
    attempts.put(
        "'*.example.com' is a wildcard",
        TestPki.csr(k, "CN=names-device", san(new GeneralName(2, "*.example.com"))));
    attempts.put("the subject has a wildcard", TestPki.csr(k, "CN=*"));
    attempts.put(
        "type uri",
        TestPki.csr(k, "CN=names-device", san(new GeneralName(6, "spiffe://corp/admin"))));
    attempts.put(
        "type ip", TestPki.csr(k, "CN=names-device", san(new GeneralName(7, "127.0.0.1"))));
    attempts.put(
        "type other",
        TestPki.csr(k, "CN=names-device", san(new GeneralName(0, new DERSequence(upn)))));
    attempts.put(
        "one of this server's CAs",
        csr(X500Name.getInstance(caOf("device-id").getSubjectX500Principal().getEncoded())));
    attempts.put(
        "control character",
        csr(
            new X500NameBuilder()
                .addRDN(BCStyle.CN, "names-device\n12:00:00.000 INFO issued label=admin")
                .build()));
    for (var attempt : attempts.entrySet()) {
      long before = issued();
      Est.Reply r = Est.enroll(client, url, attempt.getValue());
      assertRefused(r, 403, before, attempt.getKey(), "label 'device-id' name policy");
    }
    // A plain host name SAN is still issued, and the IDevID's name is then bound.
    Est.Reply ok =
        Est.enroll(
            client,
            url,
            TestPki.csr(k, "CN=names-device", san(new GeneralName(2, "names-device.example.com"))));
    assertThat(Pkix.cn(ok.leaf())).isEqualTo("names-device");
    // The factory's label has the same defaults.
    long before = issued();
    Est.Reply factory =
        Est.enroll(
            Est.client(root),
            server.labelUrl("idevid") + "simpleenroll",
            TestPki.csr(k, "CN=*.devices.example"),
            "Secret-Value",
            server.factorySecret());
    assertRefused(factory, 403, before, "wildcard", "label 'idevid' name policy");
  }
}
