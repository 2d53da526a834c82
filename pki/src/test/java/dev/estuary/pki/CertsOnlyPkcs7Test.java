package dev.estuary.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DLSequence;
import org.bouncycastle.asn1.DLSet;
import org.bouncycastle.asn1.DLTaggedObject;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.cms.CMSSignedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsOnlyPkcs7Test {
  private static X509Certificate root;
  private static X509Certificate intermediate;
  private static X509Certificate leaf;

  @BeforeAll
  static void hierarchy() {
    IssuingCa rootCa = TestMaterial.root("Pkcs7 Root");
    IssuingCa intCa = TestMaterial.intermediate(rootCa, "Pkcs7 Intermediate");
    root = rootCa.certificate();
    intermediate = intCa.certificate();
    leaf =
        TestMaterial.leaf(
            intCa, "CN=pkcs7-leaf", CertificateProfile.clientIdentity(Duration.ofDays(7)), null);
  }

  /**
   * Both directions: a DER SET would sort the certificates, and at most one of two opposite orders
   * can be the sorted one, so keeping both proves the order is kept, not re-sorted.
   */
  private static List<List<X509Certificate>> orders() {
    return List.of(List.of(leaf, intermediate, root), List.of(root, intermediate, leaf));
  }

  @Test
  void decodeReturnsTheCertificatesInTheOrderTheyWereEncoded() throws Exception {
    for (List<X509Certificate> order : orders()) {
      assertThat(CertsOnlyPkcs7.decode(CertsOnlyPkcs7.encode(order)))
          .containsExactlyElementsOf(order);
    }
  }

  @Test
  void isASignedDataWithNoSignersAndNoContent() throws Exception {
    CMSSignedData sd = new CMSSignedData(CertsOnlyPkcs7.encode(List.of(leaf, intermediate)));

    assertThat(sd.getSignerInfos().size()).isZero();
    assertThat(sd.getSignedContent()).isNull();
    assertThat(sd.getSignedContentTypeOID()).isEqualTo(CMSObjectIdentifiers.data.getId());
    assertThat(sd.getCertificates().getMatches(null)).hasSize(2);
  }

  @Test
  void opensslListsTheCertificatesInTheEncodedOrder(@TempDir Path dir) throws Exception {
    Path p7 = dir.resolve("certs.p7b");
    Files.write(p7, CertsOnlyPkcs7.encode(List.of(leaf, intermediate, root)));

    String out =
        run("openssl", "pkcs7", "-inform", "DER", "-in", p7.toString(), "-print_certs", "-noout");

    List<String> subjects = out.lines().filter(l -> l.startsWith("subject=")).toList();
    assertThat(subjects).hasSize(3);
    assertThat(subjects.get(0)).contains("pkcs7-leaf");
    assertThat(subjects.get(1)).contains("Pkcs7 Intermediate");
    assertThat(subjects.get(2)).contains("Pkcs7 Root");
  }

  /**
   * The structure as Bouncy Castle's ASN.1 classes build it (what encode did before it was written
   * by hand).
   */
  private static byte[] referenceEncoding(List<X509Certificate> certificates) throws Exception {
    ASN1EncodableVector certs = new ASN1EncodableVector();
    for (X509Certificate c : certificates) {
      certs.add(Certificate.getInstance(c.getEncoded()));
    }
    ASN1EncodableVector signedData = new ASN1EncodableVector();
    signedData.add(new ASN1Integer(1));
    signedData.add(new DLSet());
    signedData.add(new DLSequence(CMSObjectIdentifiers.data));
    signedData.add(new DLTaggedObject(false, 0, new DLSet(certs)));
    signedData.add(new DLSet());
    ASN1EncodableVector contentInfo = new ASN1EncodableVector();
    contentInfo.add(CMSObjectIdentifiers.signedData);
    contentInfo.add(new DLTaggedObject(true, 0, new DLSequence(signedData)));
    return new DLSequence(contentInfo).getEncoded(ASN1Encoding.DL);
  }

  @Test
  void encodesTheSameBytesAsBouncyCastlesAsn1ClassesForShortAndLongLengths() throws Exception {
    // 0 and 1 certificates: one- and two-octet lengths; 200 certificates: more than 65535 bytes,
    // three-octet lengths.
    List<X509Certificate> many = Collections.nCopies(200, leaf);
    for (List<X509Certificate> certs :
        List.of(
            List.<X509Certificate>of(), List.of(leaf), List.of(leaf, intermediate, root), many)) {
      assertThat(CertsOnlyPkcs7.encode(certs))
          .as("%d certificates", certs.size())
          .isEqualTo(referenceEncoding(certs));
    }
    assertThat(CertsOnlyPkcs7.encode(many).length).isGreaterThan(65_535);
  }

  @Test
  void encodesACertificateJustIssuedFollowedByItsChain() throws Exception {
    IssuingCa rootCa = TestMaterial.root("Pkcs7 Issue Root");
    IssuingCa intCa = TestMaterial.intermediate(rootCa, "Pkcs7 Issue Intermediate");
    SignedCertificate issued =
        intCa.issue(
            new IssueOrder(
                new X500Name("CN=pkcs7-issued"),
                null,
                TestMaterial.spki(TestMaterial.key("ec-p256")),
                CertificateProfile.clientIdentity(Duration.ofDays(7)),
                TestMaterial.SERIALS.next(),
                TestMaterial.T0,
                TestMaterial.T0.plus(Duration.ofDays(7))));

    byte[] p7 = CertsOnlyPkcs7.encode(issued, List.of(intCa.certificate()));

    assertThat(p7).isEqualTo(referenceEncoding(List.of(issued.x509(), intCa.certificate())));
    assertThat(CertsOnlyPkcs7.decode(p7)).containsExactly(issued.x509(), intCa.certificate());
  }

  @Test
  void encodesAnEmptyListAsAStructureWithoutCertificates() throws Exception {
    assertThat(CertsOnlyPkcs7.decode(CertsOnlyPkcs7.encode(List.of()))).isEmpty();
  }

  @Test
  void decodeRefusesBytesThatAreNotPkcs7() {
    assertThatThrownBy(() -> CertsOnlyPkcs7.decode(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("not a PKCS#7");
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("openssl finished").isTrue();
    assertThat(p.exitValue()).as("openssl exit status; output:%n%s", out).isZero();
    return out;
  }
}
