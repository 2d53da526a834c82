package dev.estuary.pki;

import static dev.estuary.pki.TestMaterial.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A device-held CA (an Edge CA) carries the server's names as excluded subtrees, so a certificate
 * its key mints for those names fails path validation (the JDK's PKIX, as every agent runs it).
 */
class NameConstraintsOfTest {
  private static IssuingCa root;
  private static IssuingCa edgeIssuing;
  private static X509Certificate tls;
  private static IssuingCa edgeCa;

  @BeforeAll
  static void hierarchy() {
    root = TestMaterial.root("Root");
    tls =
        TestMaterial.leaf(
            TestMaterial.intermediate(root, "TLS CA"),
            "CN=localhost",
            CertificateProfile.tlsServer(Duration.ofDays(30)),
            names(dns("localhost"), dns("est.example.com"), ip("127.0.0.1"), ip("::1")));
    edgeIssuing =
        root.createSubordinate(
            "edge-ca-ca",
            new X500Name("CN=Edge CA issuing"),
            TestMaterial.freshKey("ec-p256"),
            1,
            Duration.ofDays(365),
            T0.minus(Duration.ofDays(1)),
            TestMaterial.SERIALS);
    edgeCa = edgeCaExcluding(serverNames());
  }

  private static List<GeneralName> serverNames() {
    try {
      return NameConstraintsOf.serverNames(tls);
    } catch (PkiException e) {
      throw new AssertionError(e);
    }
  }

  private static IssuingCa edgeCaExcluding(List<GeneralName> excluded) {
    return edgeIssuing.createSubordinate(
        "edge",
        new X500Name("CN=aziot-edge CA my-device"),
        TestMaterial.freshKey("ec-p256"),
        CertificateProfile.edgeCa(Duration.ofDays(30)).excluding(excluded),
        T0.minus(Duration.ofDays(1)),
        TestMaterial.SERIALS);
  }

  private static GeneralName dns(String name) {
    return new GeneralName(GeneralName.dNSName, name);
  }

  private static GeneralName ip(String address) {
    return new GeneralName(GeneralName.iPAddress, address);
  }

  private static GeneralNames names(GeneralName... names) {
    return new GeneralNames(names);
  }

  private static X509Certificate serverCertBelow(IssuingCa ca, GeneralName... sans) {
    return TestMaterial.leaf(
        ca, "CN=minted", CertificateProfile.tlsServer(Duration.ofDays(1)), names(sans));
  }

  /** The JDK's PKIX validation of leaf + the CA's chain under the root, at T0, no revocation. */
  private static void validate(X509Certificate leaf, IssuingCa ca) throws Exception {
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    path.addAll(ca.chain().subList(0, ca.chain().size() - 1));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root.certificate(), null)));
    params.setRevocationEnabled(false);
    params.setDate(Date.from(T0));
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
  }

  @Test
  void serverNamesAreTheTlsCertificatesDnsNamesAndSingleAddresses() {
    List<GeneralName> names = serverNames();

    assertThat(names).hasSize(4);
    assertThat(names.subList(0, 2)).containsExactly(dns("localhost"), dns("est.example.com"));
    assertThat(
            HexFormat.of()
                .formatHex(ASN1OctetString.getInstance(names.get(2).getName()).getOctets()))
        .isEqualTo("7f000001ffffffff");
    assertThat(
            HexFormat.of()
                .formatHex(ASN1OctetString.getInstance(names.get(3).getName()).getOctets()))
        .isEqualTo("00000000000000000000000000000001" + "ff".repeat(16));
  }

  @Test
  void anEdgeCaCarriesTheExclusionsAsACriticalNameConstraintsExtension() throws Exception {
    Extension ext =
        new JcaX509CertificateHolder(edgeCa.certificate()).getExtension(Extension.nameConstraints);

    assertThat(ext).isNotNull();
    assertThat(ext.isCritical()).isTrue();
    NameConstraints nc = NameConstraints.getInstance(ext.getParsedValue());
    assertThat(nc.getPermittedSubtrees()).isNull();
    assertThat(nc.getExcludedSubtrees())
        .extracting(s -> s.getBase())
        .containsExactlyElementsOf(serverNames());
  }

  @Test
  void aServerCertificateMintedBelowAnEdgeCaForTheServersDnsNameFailsValidation() {
    assertThatThrownBy(() -> validate(serverCertBelow(edgeCa, dns("localhost")), edgeCa))
        .isInstanceOf(CertPathValidatorException.class)
        .hasMessageContaining("name constraints");
  }

  @Test
  void aSubdomainOfAServerNameIsExcludedToo() {
    assertThatThrownBy(() -> validate(serverCertBelow(edgeCa, dns("api.est.example.com")), edgeCa))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void aServerCertificateMintedBelowAnEdgeCaForTheServersAddressFailsValidation() {
    assertThatThrownBy(() -> validate(serverCertBelow(edgeCa, ip("127.0.0.1")), edgeCa))
        .isInstanceOf(CertPathValidatorException.class);
    assertThatThrownBy(() -> validate(serverCertBelow(edgeCa, ip("::1")), edgeCa))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void theEdgeCaStillIssuesForTheDevicesOwnNames() {
    assertThatCode(
            () -> validate(serverCertBelow(edgeCa, dns("my-device"), dns("edgehub.local")), edgeCa))
        .doesNotThrowAnyException();
  }

  @Test
  void withoutTheExclusionsTheSameMintedCertificateWouldValidate() {
    IssuingCa unconstrained = edgeCaExcluding(List.of());

    assertThatCode(() -> validate(serverCertBelow(unconstrained, dns("localhost")), unconstrained))
        .doesNotThrowAnyException();
  }

  @Test
  void onlyACaProfileTakesExclusions() {
    assertThatThrownBy(
            () ->
                CertificateProfile.clientIdentity(Duration.ofDays(1)).excluding(List.of(dns("x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CA certificates only");
  }
}
