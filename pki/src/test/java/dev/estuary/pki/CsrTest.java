package dev.estuary.pki;

import static dev.estuary.pki.TestMaterial.csr;
import static dev.estuary.pki.TestMaterial.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

class CsrTest {

  @Test
  void parsesAnEcP256RequestAndDescribesItsKey() throws Exception {
    Csr csr = Csr.parse(csr(key("ec-p256"), "CN=device-1"));

    assertThat(csr.key()).isEqualTo(new KeyDescription("EC", "P-256", 256));
    assertThat(csr.key()).hasToString("EC P-256");
  }

  @Test
  void parsesAnEcP384RequestAndDescribesItsKey() throws Exception {
    assertThat(Csr.parse(csr(key("ec-p384"), "CN=device-1")).key())
        .isEqualTo(new KeyDescription("EC", "P-384", 384));
  }

  @Test
  void parsesAnRsa2048RequestAndDescribesItsKey() throws Exception {
    Csr csr = Csr.parse(csr(key("rsa-2048"), "CN=device-1"));

    assertThat(csr.key()).isEqualTo(new KeyDescription("RSA", "", 2048));
    assertThat(csr.key()).hasToString("RSA 2048");
  }

  @Test
  void parsesAnEd25519RequestAndDescribesItsKey() throws Exception {
    Csr csr = Csr.parse(csr(key("ed25519"), "CN=device-1"));

    assertThat(csr.key()).isEqualTo(new KeyDescription("Ed25519", "", 255));
    assertThat(csr.key()).hasToString("Ed25519");
  }

  @Test
  void keepsTheSubjectAndPublicKeyOfTheRequest() throws Exception {
    Csr csr = Csr.parse(csr(key("ec-p256"), "CN=device-1,O=Acme"));

    assertThat(csr.subject().toString()).isEqualTo("CN=device-1,O=Acme");
    assertThat(csr.publicKeyInfo()).isEqualTo(TestMaterial.spki(key("ec-p256")));
  }

  @Test
  void refusesARequestWhoseSignedContentWasAlteredAsFailedProofOfPossession() {
    byte[] der = csr(key("ec-p256"), "CN=device-1");
    replaceAscii(der, "device-1", "device-2");

    assertThatThrownBy(() -> Csr.parse(der))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("proof of possession");
  }

  @Test
  void refusesARequestWhoseSignatureWasAlteredAsFailedProofOfPossession() {
    byte[] der = csr(key("ed25519"), "CN=device-1");
    der[der.length - 1] ^= 0x01; // last byte of the Ed25519 signature

    assertThatThrownBy(() -> Csr.parse(der))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("proof of possession");
  }

  @Test
  void refusesGarbageAsNotADerPkcs10() {
    assertThatThrownBy(() -> Csr.parse("hello, world".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("not a DER PKCS#10");
  }

  @Test
  void refusesACertificateAsNotADerPkcs10() throws Exception {
    X509Certificate cert = TestMaterial.root("Not A Csr").certificate();

    assertThatThrownBy(() -> Csr.parse(cert.getEncoded()))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("not a DER PKCS#10");
  }

  @Test
  void readsARequestedBasicConstraintsCaTrue() throws Exception {
    Csr csr =
        Csr.parse(
            csr(
                key("ec-p256"),
                "CN=edge-ca",
                new Extension(
                    Extension.basicConstraints, true, new BasicConstraints(0).getEncoded())));

    assertThat(csr.requestsCa()).isTrue();
    assertThat(csr.basicConstraints().getPathLenConstraint()).isZero();
  }

  @Test
  void readsRequestedSubjectAltNames() throws Exception {
    GeneralNames sans =
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "device-1.example"),
              new GeneralName(GeneralName.iPAddress, "10.0.0.7")
            });
    Csr csr =
        Csr.parse(
            csr(
                key("ec-p256"),
                "CN=device-1",
                new Extension(Extension.subjectAlternativeName, false, sans.getEncoded())));

    assertThat(csr.subjectAltNames()).isEqualTo(sans);
  }

  @Test
  void readsARequestedKeyUsage() throws Exception {
    KeyUsage ku = new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign);
    Csr csr =
        Csr.parse(
            csr(
                key("ec-p256"),
                "CN=edge-ca",
                new Extension(Extension.keyUsage, true, ku.getEncoded())));

    assertThat(csr.keyUsage()).isEqualTo(ku);
  }

  @Test
  void aRequestWithoutExtensionsAsksForNoCaNoSansAndNoKeyUsage() throws Exception {
    Csr csr = Csr.parse(csr(key("ec-p256"), "CN=device-1"));

    assertThat(csr.requestsCa()).isFalse();
    assertThat(csr.subjectAltNames()).isNull();
    assertThat(csr.basicConstraints()).isNull();
    assertThat(csr.keyUsage()).isNull();
  }

  @Test
  void aRequestForBasicConstraintsCaFalseDoesNotAskForACa() throws Exception {
    Csr csr =
        Csr.parse(
            csr(
                key("ec-p256"),
                "CN=device-1",
                new Extension(
                    Extension.basicConstraints, true, new BasicConstraints(false).getEncoded())));

    assertThat(csr.requestsCa()).isFalse();
  }

  @Test
  void commonNameIsTheFirstCnOfTheSubject() throws Exception {
    assertThat(Csr.parse(csr(key("ec-p256"), "O=Acme,CN=device-42,OU=Line 3")).commonName())
        .isEqualTo("device-42");
  }

  @Test
  void commonNameIsEmptyWhenTheSubjectHasNone() throws Exception {
    assertThat(Csr.parse(csr(key("ec-p256"), "O=Acme")).commonName()).isEmpty();
  }

  @Test
  void commonNameIsTheValueItselfNotAnEscapedDnString() throws Exception {
    // "Line 3, Bay 2" is one CN value; RFC 4514 escaping ("Line 3\, Bay 2") belongs to DN strings
    // only.
    assertThat(Csr.parse(csr(key("ec-p256"), "CN=Line 3\\, Bay 2")).commonName())
        .isEqualTo("Line 3, Bay 2");
  }

  @Test
  void parseKeepsItsOwnCopyOfTheDer() throws Exception {
    byte[] der = csr(key("ec-p256"), "CN=device-1");
    Csr csr = Csr.parse(der);
    der[0] = 0;

    assertThat(csr.der()[0]).isEqualTo((byte) 0x30);
  }

  private static void replaceAscii(byte[] der, String from, String to) {
    byte[] f = from.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + f.length <= der.length; i++) {
      if (Arrays.equals(der, i, i + f.length, f, 0, f.length)) {
        System.arraycopy(to.getBytes(StandardCharsets.US_ASCII), 0, der, i, f.length);
        return;
      }
    }
    throw new AssertionError("'" + from + "' not found in the DER");
  }
}
