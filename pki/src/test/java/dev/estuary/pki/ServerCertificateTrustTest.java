package dev.estuary.pki;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.Test;

/** The two rules a client adds to PKIX for a server's certificate. */
class ServerCertificateTrustTest {
  private static final IssuingCa CA =
      TestMaterial.intermediate(TestMaterial.root("Root"), "TLS CA");

  private static X509Certificate[] chainOf(X509Certificate leaf) {
    return new X509Certificate[] {leaf, CA.certificate()};
  }

  @Test
  void aServerCertificateNamingItsHostInASanIsAccepted() {
    X509Certificate dns =
        TestMaterial.leaf(
            CA,
            "CN=server",
            CertificateProfile.tlsServer(Duration.ofDays(1)),
            new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
    X509Certificate ip =
        TestMaterial.leaf(
            CA,
            "CN=server",
            CertificateProfile.tlsServer(Duration.ofDays(1)),
            new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));

    assertThatCode(() -> ServerCertificateTrust.requireNamedEndEntity(chainOf(dns)))
        .doesNotThrowAnyException();
    assertThatCode(() -> ServerCertificateTrust.requireNamedEndEntity(chainOf(ip)))
        .doesNotThrowAnyException();
  }

  @Test
  void aCommonNameAloneDoesNotNameTheServer() {
    X509Certificate cnOnly =
        TestMaterial.leaf(
            CA, "CN=localhost", CertificateProfile.tlsServer(Duration.ofDays(1)), null);

    assertThatThrownBy(() -> ServerCertificateTrust.requireNamedEndEntity(chainOf(cnOnly)))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("names no host in a subjectAltName");
  }

  @Test
  void aCaCertificateIsNeverAServer() {
    X509Certificate edgeCa =
        TestMaterial.leaf(
            CA,
            "CN=localhost",
            CertificateProfile.edgeCa(Duration.ofDays(1)),
            new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));

    assertThatThrownBy(() -> ServerCertificateTrust.requireNamedEndEntity(chainOf(edgeCa)))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("is a CA certificate");
  }
}
