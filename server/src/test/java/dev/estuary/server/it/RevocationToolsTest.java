package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revocation as the world checks it, with the real tools as processes: after a revocation through
 * the admin API, {@code openssl ocsp} says revoked with the reason, {@code openssl verify
 * -crl_check} fails on the revoked certificate and passes on a good one, {@code openssl crl} shows
 * the entry, and the CRL is made again without a restart. Issued certificates name the URLs
 * (quickstart: its own device port).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RevocationToolsTest {
  @TempDir static Path work;
  static QuickstartServer server;

  @BeforeAll
  static void start() throws Exception {
    server = QuickstartServer.start(work.resolve("data"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** A URL a certificate names, on the port the test server really listens on. */
  static String onTestPort(String url) {
    return url.replace("localhost:8443", "localhost:" + server.estPort());
  }

  static String crlUrl(X509Certificate cert) throws Exception {
    CRLDistPoint p =
        CRLDistPoint.getInstance(extension(cert, Extension.cRLDistributionPoints.getId()));
    GeneralName n =
        GeneralNames.getInstance(p.getDistributionPoints()[0].getDistributionPoint().getName())
            .getNames()[0];
    return n.getName().toString();
  }

  static String aia(X509Certificate cert, ASN1ObjectIdentifier method) throws Exception {
    AuthorityInformationAccess aia =
        AuthorityInformationAccess.getInstance(
            extension(cert, Extension.authorityInfoAccess.getId()));
    for (AccessDescription d : aia.getAccessDescriptions()) {
      if (d.getAccessMethod().equals(method)) {
        return d.getAccessLocation().getName().toString();
      }
    }
    throw new AssertionError("no " + method + " in the AIA of " + cert.getSubjectX500Principal());
  }

  private static ASN1Primitive extension(X509Certificate cert, String oid) throws Exception {
    byte[] v = cert.getExtensionValue(oid);
    assertThat(v).as("extension " + oid).isNotNull();
    return ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(v).getOctets());
  }

  static Shell.Result admin(String method, String path, String json) {
    return Shell.run(
        work,
        "curl -sS --max-time 20 --cacert "
            + server.rootPem()
            + " -X "
            + method
            + " -H 'Authorization: Bearer "
            + server.adminToken()
            + "' -H 'Content-Type: application/json'"
            + (json == null ? "" : " --data '" + json + "'")
            + " "
            + server.adminUrl()
            + "/api/v1"
            + path);
  }

  /** Fetches the CRL at {@code url} as DER, then PEM for openssl verify. */
  static Path fetchCrl(Path dir, String url, String name) {
    Shell.ok(
        dir,
        "curl -sS --max-time 20 --cacert "
            + server.rootPem()
            + " -D "
            + name
            + ".headers -o "
            + name
            + ".der '"
            + onTestPort(url)
            + "'");
    Shell.ok(dir, "openssl crl -inform DER -in " + name + ".der -out " + name + ".pem");
    return dir.resolve(name + ".pem");
  }

  static BigInteger crlNumber(Path dir, String name) {
    String text = Shell.ok(dir, "openssl crl -in " + name + ".pem -noout -crlnumber").stdout();
    Matcher m = Pattern.compile("crlNumber=(?:0x)?([0-9A-Fa-f]+)").matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return new BigInteger(m.group(1), 16);
  }

  @Test
  void opensslSeesARevokedCertificateRevokedAndAGoodOneGood() throws Exception {
    Path dir = Files.createDirectories(work.resolve("tools"));
    EstEnrollment.Enrolled good = EstEnrollment.idevid(server, "revocation-good");
    EstEnrollment.Enrolled bad = EstEnrollment.idevid(server, "revocation-bad");
    Pkix.writePem(dir.resolve("good.pem"), good.leaf());
    Pkix.writePem(dir.resolve("bad.pem"), bad.leaf());
    Pkix.writePem(dir.resolve("issuer.pem"), bad.chain().get(1));
    Pkix.writePem(dir.resolve("root.pem"), server.root());

    // The certificates name where to ask, on the quickstart's device port.
    String crl = crlUrl(bad.leaf());
    String ocsp = aia(bad.leaf(), AccessDescription.id_ad_ocsp);
    String caIssuers = aia(bad.leaf(), AccessDescription.id_ad_caIssuers);
    assertThat(crl).matches("https://localhost:8443/pki/crl/[0-9a-f]{40}\\.crl");
    assertThat(ocsp).isEqualTo("https://localhost:8443/pki/ocsp");
    assertThat(caIssuers).matches("https://localhost:8443/pki/ca/[0-9a-f]{40}\\.cer");
    String text = Shell.ok(dir, "openssl x509 -in bad.pem -noout -text").stdout();
    assertThat(text)
        .contains("X509v3 CRL Distribution Points")
        .contains("OCSP - URI:" + ocsp)
        .contains("CA Issuers - URI:" + caIssuers);

    // caIssuers serves the issuing CA certificate, DER.
    Shell.ok(
        dir,
        "curl -sS --max-time 20 --cacert "
            + server.rootPem()
            + " -o ca.cer '"
            + onTestPort(caIssuers)
            + "' && openssl x509 -inform DER -in ca.cer -out ca.pem && cmp <(openssl x509 -in"
            + " ca.pem -outform DER) <(openssl x509 -in issuer.pem -outform DER)");

    // Before: both good, both verify against the CRL.
    fetchCrl(dir, crl, "before");
    BigInteger before = crlNumber(dir, "before");
    String headers = Files.readString(dir.resolve("before.headers"));
    assertThat(headers.toLowerCase())
        .contains("content-type: application/pkix-crl")
        .contains("cache-control: max-age=")
        .contains("last-modified: ")
        .contains("expires: ");
    String ocspCmd =
        "openssl ocsp -issuer issuer.pem -CAfile root.pem -url " + onTestPort(ocsp) + " -cert ";
    assertThat(Shell.ok(dir, ocspCmd + "bad.pem").stdout()).contains("bad.pem: good");
    assertThat(
            Shell.run(
                    dir,
                    "openssl verify -crl_check -CAfile root.pem -untrusted issuer.pem -CRLfile"
                        + " before.pem bad.pem")
                .ok())
        .isTrue();

    // Revoke through the admin API.
    String serial = bad.leaf().getSerialNumber().toString(16);
    Shell.Result revoked =
        admin("POST", "/certificates/" + serial + "/revoke", "{\"reason\":\"keyCompromise\"}");
    assertThat(revoked.stdout())
        .as(revoked.describe())
        .contains("\"revocationReason\" : \"keyCompromise\"");

    // OCSP: revoked with its reason; the good one stays good; the answer verifies.
    Shell.Result badOcsp = Shell.ok(dir, ocspCmd + "bad.pem");
    assertThat(badOcsp.stdout()).contains("bad.pem: revoked").contains("Reason: keyCompromise");
    assertThat(badOcsp.stderr()).contains("Response verify OK");
    Shell.Result goodOcsp = Shell.ok(dir, ocspCmd + "good.pem");
    assertThat(goodOcsp.stdout()).contains("good.pem: good");
    assertThat(goodOcsp.stderr()).contains("Response verify OK");

    // The CRL was made again without a restart: a higher number, the entry with its reason.
    fetchCrl(dir, crl, "after");
    assertThat(crlNumber(dir, "after")).isGreaterThan(before);
    String crlText = Shell.ok(dir, "openssl crl -in after.pem -noout -text").stdout();
    assertThat(crlText.toUpperCase().replace(":", ""))
        .contains("SERIAL NUMBER " + serial.toUpperCase());
    assertThat(crlText)
        .contains("Key Compromise")
        .contains("Version 2")
        .contains("X509v3 Authority Key Identifier")
        .contains("X509v3 CRL Number");

    Shell.Result badVerify =
        Shell.run(
            dir,
            "openssl verify -crl_check -CAfile root.pem -untrusted issuer.pem -CRLfile after.pem"
                + " bad.pem");
    assertThat(badVerify.ok()).as(badVerify.describe()).isFalse();
    assertThat(badVerify.stdout() + badVerify.stderr()).contains("certificate revoked");
    Shell.Result goodVerify =
        Shell.run(
            dir,
            "openssl verify -crl_check -CAfile root.pem -untrusted issuer.pem -CRLfile after.pem"
                + " good.pem");
    assertThat(goodVerify.ok()).as(goodVerify.describe()).isTrue();
  }

  @Test
  void aSerialTheCaNeverIssuedIsUnknownNeverGood() throws Exception {
    Path dir = Files.createDirectories(work.resolve("unknown"));
    EstEnrollment.Enrolled real = EstEnrollment.idevid(server, "revocation-real");
    Pkix.writePem(dir.resolve("issuer.pem"), real.chain().get(1));
    Pkix.writePem(dir.resolve("root.pem"), server.root());
    String ocsp = onTestPort(aia(real.leaf(), AccessDescription.id_ad_ocsp));
    Shell.Result r =
        Shell.ok(
            dir,
            "openssl ocsp -issuer issuer.pem -CAfile root.pem -url "
                + ocsp
                + " -serial 0x7a11ce0000000000000000000000000001");
    assertThat(r.stdout()).contains(": unknown");
  }

  static List<String> lines(String s) {
    return s.lines().toList();
  }
}
