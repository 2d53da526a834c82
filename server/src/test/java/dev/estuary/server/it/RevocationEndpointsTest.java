package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.revocation.OcspResponder;
import dev.estuary.server.revocation.PublishedCa;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.bc.BcDigestCalculatorProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /pki endpoints on the wire: OCSP by GET (URL-encoded base64 in the path) and POST, the
 * request limits and media types, the cache headers, 404 for an unknown CA, a revocation made by
 * another replica (straight into the shared database) showing in the CRL at the next check, and the
 * delegated responder ({@code ocsp_signer = "delegated"}) as openssl verifies it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RevocationEndpointsTest {
  @TempDir static Path tmp;
  static QuickstartServer server;
  static HttpClient client;
  static EstEnrollment.Enrolled device;
  static String caId;

  @BeforeAll
  static void start() throws Exception {
    server = QuickstartServer.start(tmp.resolve("data"));
    client = Est.client(server.root());
    device = EstEnrollment.idevid(server, "endpoints-device");
    caId = PublishedCa.of(server.server().labels().get("idevid").ca()).id();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static String pki(QuickstartServer s) {
    return "https://localhost:" + s.estPort() + "/pki/";
  }

  static byte[] ocspRequest(BigInteger serial, byte[] nonce) throws Exception {
    OCSPReqBuilder b =
        new OCSPReqBuilder()
            .addRequest(
                new CertificateID(
                    new BcDigestCalculatorProvider().get(CertificateID.HASH_SHA1),
                    new X509CertificateHolder(device.chain().get(1).getEncoded()),
                    serial));
    if (nonce != null) {
      b.setRequestExtensions(
          new Extensions(
              new Extension(
                  OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                  false,
                  new DEROctetString(nonce).getEncoded())));
    }
    return b.build().getEncoded();
  }

  static OCSPResp ocsp(Est.Reply r) throws Exception {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/ocsp-response");
    return new OCSPResp(r.body());
  }

  @Test
  void ocspByGetWithTheRequestUrlEncodedInThePathIsCacheable() throws Exception {
    BigInteger serial = device.leaf().getSerialNumber();
    String b64 = Base64.getEncoder().encodeToString(ocspRequest(serial, null));
    Est.Reply r =
        Est.get(client, pki(server) + "ocsp/" + URLEncoder.encode(b64, StandardCharsets.US_ASCII));
    OCSPResp resp = ocsp(r);
    assertThat(resp.getStatus()).isEqualTo(OCSPRespBuilder.SUCCESSFUL);
    BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
    assertThat(basic.getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
    assertThat(r.headers().firstValue("Cache-Control").orElseThrow())
        .startsWith("max-age=")
        .contains("public");
    assertThat(r.headers().firstValue("Last-Modified")).isPresent();
    assertThat(r.headers().firstValue("Expires")).isPresent();
    // The same request again is the same signed answer, from the cache.
    Est.Reply again =
        Est.get(client, pki(server) + "ocsp/" + URLEncoder.encode(b64, StandardCharsets.US_ASCII));
    assertThat(again.body()).isEqualTo(r.body());

    // A request whose base64 holds '/' and '+' (percent-encoded, as RFC 5019 asks) is read too.
    String slashed;
    do {
      slashed =
          Base64.getEncoder().encodeToString(ocspRequest(new BigInteger(64, Pkix.RANDOM), null));
    } while (!slashed.contains("/") || !slashed.contains("+"));
    OCSPResp unknown =
        ocsp(
            Est.get(
                client,
                pki(server) + "ocsp/" + URLEncoder.encode(slashed, StandardCharsets.US_ASCII)));
    assertThat(unknown.getStatus()).isEqualTo(OCSPRespBuilder.SUCCESSFUL);
    assertThat(((BasicOCSPResp) unknown.getResponseObject()).getResponses()[0].getCertStatus())
        .isInstanceOf(UnknownStatus.class);
  }

  @Test
  void ocspByPostEchoesTheNonceAndIsNotCached() throws Exception {
    byte[] nonce = new byte[16];
    Pkix.RANDOM.nextBytes(nonce);
    Est.Reply r =
        Est.post(
            client,
            pki(server) + "ocsp",
            ocspRequest(device.leaf().getSerialNumber(), nonce),
            "Content-Type",
            "application/ocsp-request");
    BasicOCSPResp basic = (BasicOCSPResp) ocsp(r).getResponseObject();
    assertThat(
            DEROctetString.getInstance(
                    basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce).getParsedValue())
                .getOctets())
        .isEqualTo(nonce);
    assertThat(r.headers().firstValue("Cache-Control").orElseThrow()).isEqualTo("no-store");
  }

  @Test
  void oversizedWrongTypeGarbageAndUnknownCasAreRefused() throws Exception {
    byte[] big = new byte[OcspResponder.MAX_REQUEST_BYTES + 1];
    assertThat(
            Est.post(client, pki(server) + "ocsp", big, "Content-Type", "application/ocsp-request")
                .status())
        .isEqualTo(413);
    assertThat(
            Est.post(
                    client,
                    pki(server) + "ocsp",
                    ocspRequest(BigInteger.TEN, null),
                    "Content-Type",
                    "application/json")
                .status())
        .isEqualTo(415);
    OCSPResp garbage =
        ocsp(
            Est.post(
                client,
                pki(server) + "ocsp",
                new byte[] {1, 2, 3},
                "Content-Type",
                "application/ocsp-request"));
    assertThat(garbage.getStatus()).isEqualTo(OCSPRespBuilder.MALFORMED_REQUEST);
    OCSPResp notBase64 = ocsp(Est.get(client, pki(server) + "ocsp/not*base64"));
    assertThat(notBase64.getStatus()).isEqualTo(OCSPRespBuilder.MALFORMED_REQUEST);
    assertThat(Est.get(client, pki(server) + "crl/" + "00".repeat(20) + ".crl").status())
        .isEqualTo(404);
    assertThat(Est.get(client, pki(server) + "ca/nope.cer").status()).isEqualTo(404);
    assertThat(Est.get(client, pki(server) + "crl/" + caId + ".crl").contentType())
        .isEqualTo("application/pkix-crl");
  }

  @Test
  void aRevocationWrittenByAnotherReplicaShowsInTheCrlAtTheNextCheck() throws Exception {
    EstEnrollment.Enrolled other = EstEnrollment.idevid(server, "revoked-elsewhere");
    BigInteger serial = other.leaf().getSerialNumber();
    // As another replica does it: straight into the shared database, without telling this one.
    assertThat(server.server().certificates().revoke(serial, "superseded", Instant.now())).isTrue();
    // Until this replica checks, it serves its CRL; its check (every 5 s in a thread) makes it
    // again.
    server.server().crls().check();
    X509CRL crl =
        (X509CRL)
            CertificateFactory.getInstance("X.509")
                .generateCRL(
                    new ByteArrayInputStream(
                        Est.get(client, pki(server) + "crl/" + caId + ".crl").body()));
    assertThat(crl.getRevokedCertificate(serial)).isNotNull();
    // And OCSP does not serve a cached "good" after it.
    Est.Reply r =
        Est.post(
            client,
            pki(server) + "ocsp",
            ocspRequest(serial, null),
            "Content-Type",
            "application/ocsp-request");
    BasicOCSPResp basic = (BasicOCSPResp) ocsp(r).getResponseObject();
    assertThat(basic.getResponses()[0].getCertStatus()).isInstanceOf(RevokedStatus.class);
  }

  @Test
  void aDelegatedResponderSignsWithOcspSigningAndNocheckAndOpensslVerifiesIt() throws Exception {
    try (QuickstartServer delegated =
        QuickstartServer.start(
            tmp.resolve("delegated"), t -> t + "ocsp_signer = \"delegated\"\n")) {
      EstEnrollment.Enrolled d = EstEnrollment.idevid(delegated, "delegated-device");
      Path dir = Files.createDirectories(tmp.resolve("delegated-work"));
      Pkix.writePem(dir.resolve("leaf.pem"), d.leaf());
      Pkix.writePem(dir.resolve("issuer.pem"), d.chain().get(1));
      Pkix.writePem(dir.resolve("root.pem"), delegated.root());
      Dps dps = new Dps(delegated);
      assertThat(
              dps.admin(
                      "POST",
                      "/api/v1/certificates/" + d.leaf().getSerialNumber().toString(16) + "/revoke",
                      "{\"reason\":\"superseded\"}")
                  .status())
          .isEqualTo(200);
      Shell.Result r =
          Shell.ok(
              dir,
              "openssl ocsp -issuer issuer.pem -CAfile root.pem -cert leaf.pem -resp_text -url "
                  + pki(delegated)
                  + "ocsp");
      assertThat(r.stdout())
          .contains("leaf.pem: revoked")
          .contains("Reason: superseded")
          .contains("OCSP Signing")
          .contains("OCSP No Check");
      assertThat(r.stderr()).contains("Response verify OK");
    }
  }
}
