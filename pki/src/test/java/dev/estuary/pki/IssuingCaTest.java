package dev.estuary.pki;

import static dev.estuary.pki.TestMaterial.SERIALS;
import static dev.estuary.pki.TestMaterial.T0;
import static dev.estuary.pki.TestMaterial.key;
import static dev.estuary.pki.TestMaterial.spki;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IssuingCaTest {
  private static final Duration TEN_YEARS = Duration.ofDays(3650);

  // X509Certificate.getKeyUsage() indexes
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  private static final int CRL_SIGN = 6;

  private static IssuingCa root;
  private static IssuingCa issuing;

  @BeforeAll
  static void hierarchy() {
    root =
        IssuingCa.createRoot(
            "root", new X500Name("CN=Test Root"), key("ec-p384"), TEN_YEARS, T0, SERIALS);
    issuing =
        root.createSubordinate(
            "issuing",
            new X500Name("CN=Test Issuing"),
            TestMaterial.freshKey("ec-p256"),
            0,
            Duration.ofDays(365),
            T0,
            SERIALS);
  }

  private static IssueOrder order(CertificateProfile profile, GeneralNames sans, Instant notAfter) {
    return new IssueOrder(
        new X500Name("CN=device-1,O=Acme"),
        sans,
        spki(key("ec-p256")),
        profile,
        BigInteger.valueOf(4242),
        T0,
        notAfter);
  }

  private static Extension extension(X509Certificate cert, ASN1ObjectIdentifier oid)
      throws Exception {
    return new JcaX509CertificateHolder(cert).getExtension(oid);
  }

  @Test
  void createRootMakesASelfSignedCaWithoutPathLengthLimit() throws Exception {
    X509Certificate cert = root.certificate();

    assertThat(cert.getSubjectX500Principal()).isEqualTo(cert.getIssuerX500Principal());
    assertThat(cert.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
    assertThat(extension(cert, Extension.basicConstraints).isCritical()).isTrue();
    assertThatCode(() -> cert.verify(cert.getPublicKey())).doesNotThrowAnyException();
    assertThat(root.chain()).containsExactly(cert);
  }

  @Test
  void selfSignedMakesAnEndEntityCertificateForTheKeyNamedByItsCommonName() throws Exception {
    KeyPair pair = TestMaterial.freshKey("ec-p256");

    X509Certificate cert =
        IssuingCa.selfSigned(
            "estuary-1234", pair.getPublic(), pair.getPrivate(), null, TEN_YEARS, T0, SERIALS);

    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=estuary-1234");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(cert.getSubjectX500Principal());
    assertThat(cert.getPublicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(T0.plus(TEN_YEARS));
    assertThatCode(() -> cert.verify(pair.getPublic())).doesNotThrowAnyException();
  }

  @Test
  void createRootGivesKeyCertSignAndCrlSignCritically() throws Exception {
    boolean[] ku = root.certificate().getKeyUsage();

    assertThat(ku[KEY_CERT_SIGN]).isTrue();
    assertThat(ku[CRL_SIGN]).isTrue();
    assertThat(extension(root.certificate(), Extension.keyUsage).isCritical()).isTrue();
  }

  @Test
  void createRootBackdatesNotBeforeAndLivesForItsValidity() {
    assertThat(root.certificate().getNotBefore().toInstant())
        .isEqualTo(T0.minus(IssuingCa.BACKDATE));
    assertThat(root.certificate().getNotAfter().toInstant()).isEqualTo(T0.plus(TEN_YEARS));
  }

  @Test
  void createSubordinateMakesACaWithTheGivenPathLengthSignedByItsParent() {
    X509Certificate cert = issuing.certificate();

    assertThat(cert.getBasicConstraints()).isZero();
    assertThat(cert.getIssuerX500Principal())
        .isEqualTo(root.certificate().getSubjectX500Principal());
    assertThat(cert.getKeyUsage()[KEY_CERT_SIGN]).isTrue();
    assertThatCode(() -> cert.verify(root.certificate().getPublicKey())).doesNotThrowAnyException();
  }

  @Test
  void createSubordinateChainsUpToTheRoot() {
    assertThat(issuing.chain()).containsExactly(issuing.certificate(), root.certificate());
    assertThat(issuing.root()).isEqualTo(root.certificate());
  }

  @Test
  void createSubordinateWithPathLengthOneAllowsOneCaBelow() {
    IssuingCa policyCa =
        root.createSubordinate(
            "policy",
            new X500Name("CN=Policy CA"),
            TestMaterial.freshKey("ec-p256"),
            1,
            Duration.ofDays(365),
            T0,
            SERIALS);

    assertThat(policyCa.certificate().getBasicConstraints()).isEqualTo(1);
  }

  @Test
  void clientIdentityCertificateHasClientAuthEkuAndIsNoCa() throws Exception {
    X509Certificate cert =
        issuing.sign(
            order(
                CertificateProfile.clientIdentity(Duration.ofDays(7)),
                null,
                T0.plus(Duration.ofDays(7))));

    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getKeyUsage()[DIGITAL_SIGNATURE]).isTrue();
    assertThat(cert.getKeyUsage()[KEY_CERT_SIGN]).isFalse();
  }

  @Test
  void signedCertificateCarriesTheOrderedSubjectSerialKeyAndValidity() {
    X509Certificate cert =
        issuing.sign(
            order(
                CertificateProfile.clientIdentity(Duration.ofDays(7)),
                null,
                T0.plus(Duration.ofDays(7))));

    assertThat(X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()))
        .isEqualTo(new X500Name("CN=device-1,O=Acme"));
    assertThat(cert.getIssuerX500Principal())
        .isEqualTo(issuing.certificate().getSubjectX500Principal());
    assertThat(cert.getSerialNumber()).isEqualTo(BigInteger.valueOf(4242));
    assertThat(cert.getPublicKey()).isEqualTo(key("ec-p256").getPublic());
    assertThat(cert.getNotBefore().toInstant()).isEqualTo(T0);
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(T0.plus(Duration.ofDays(7)));
  }

  @Test
  void signedCertificateHasSubjectKeyIdentifierOfItsKeyAndAuthorityKeyIdentifierOfTheCa()
      throws Exception {
    X509Certificate cert =
        issuing.sign(
            order(
                CertificateProfile.clientIdentity(Duration.ofDays(7)),
                null,
                T0.plus(Duration.ofDays(7))));

    SubjectKeyIdentifier ski =
        SubjectKeyIdentifier.fromExtensions(new JcaX509CertificateHolder(cert).getExtensions());
    AuthorityKeyIdentifier aki =
        AuthorityKeyIdentifier.fromExtensions(new JcaX509CertificateHolder(cert).getExtensions());
    SubjectKeyIdentifier caSki =
        SubjectKeyIdentifier.fromExtensions(
            new JcaX509CertificateHolder(issuing.certificate()).getExtensions());

    assertThat(ski.getKeyIdentifier())
        .isEqualTo(
            new JcaX509ExtensionUtils()
                .createSubjectKeyIdentifier(key("ec-p256").getPublic())
                .getKeyIdentifier());
    assertThat(aki.getKeyIdentifierOctets()).isEqualTo(caSki.getKeyIdentifier());
  }

  @Test
  void signedCertificateCopiesTheOrderedSubjectAltNames() throws Exception {
    GeneralNames sans =
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "device-1.example"),
              new GeneralName(GeneralName.iPAddress, "10.0.0.7")
            });

    X509Certificate cert =
        issuing.sign(
            order(
                CertificateProfile.clientIdentity(Duration.ofDays(7)),
                sans,
                T0.plus(Duration.ofDays(7))));

    assertThat(
            GeneralNames.fromExtensions(
                new JcaX509CertificateHolder(cert).getExtensions(),
                Extension.subjectAlternativeName))
        .isEqualTo(sans);
    assertThat(extension(cert, Extension.subjectAlternativeName).isCritical()).isFalse();
  }

  @Test
  void subjectAltNamesAreCriticalWhenTheSubjectIsEmpty() throws Exception {
    GeneralNames sans = new GeneralNames(new GeneralName(GeneralName.dNSName, "device-1.example"));
    IssueOrder emptySubject =
        new IssueOrder(
            new X500Name(new RDN[0]),
            sans,
            spki(key("ec-p256")),
            CertificateProfile.clientIdentity(Duration.ofDays(7)),
            BigInteger.TEN,
            T0,
            T0.plus(Duration.ofDays(7)));

    assertThat(extension(issuing.sign(emptySubject), Extension.subjectAlternativeName).isCritical())
        .isTrue();
  }

  @Test
  void signedCertificateHasNoSubjectAltNamesWhenNoneAreOrdered() throws Exception {
    X509Certificate cert =
        issuing.sign(
            order(
                CertificateProfile.clientIdentity(Duration.ofDays(7)),
                null,
                T0.plus(Duration.ofDays(7))));

    assertThat(cert.getSubjectAlternativeNames()).isNull();
  }

  @Test
  void notAfterIsClampedToTheCasNotAfter() {
    Instant caNotAfter = issuing.certificate().getNotAfter().toInstant();

    X509Certificate cert =
        issuing.sign(
            order(
                CertificateProfile.clientIdentity(Duration.ofDays(7)),
                null,
                caNotAfter.plus(Duration.ofDays(30))));

    assertThat(cert.getNotAfter().toInstant()).isEqualTo(caNotAfter);
  }

  @Test
  void anExpiredCaRefusesToSignRatherThanMakeACertificateThatEndsBeforeItStarts() {
    Instant caNotAfter = issuing.certificate().getNotAfter().toInstant();
    IssueOrder late =
        new IssueOrder(
            new X500Name("CN=late"),
            null,
            spki(key("ec-p256")),
            CertificateProfile.clientIdentity(Duration.ofDays(7)),
            BigInteger.valueOf(77),
            caNotAfter.plus(Duration.ofDays(1)),
            caNotAfter.plus(Duration.ofDays(8)));

    assertThatThrownBy(() -> issuing.sign(late))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expires at");
  }

  @Test
  void edgeCaCertificateIsACaWithPathLengthZeroAndKeyCertSign() throws Exception {
    X509Certificate cert =
        issuing.sign(
            order(
                CertificateProfile.edgeCa(Duration.ofDays(90)),
                null,
                T0.plus(Duration.ofDays(90))));

    assertThat(cert.getBasicConstraints()).isZero();
    assertThat(extension(cert, Extension.basicConstraints).isCritical()).isTrue();
    assertThat(cert.getKeyUsage()[KEY_CERT_SIGN]).isTrue();
    assertThat(cert.getKeyUsage()[DIGITAL_SIGNATURE]).isTrue();
    assertThat(extension(cert, Extension.keyUsage).isCritical()).isTrue();
    assertThat(cert.getExtendedKeyUsage()).isNull();
  }

  @Test
  void signedCertificatesVerifyWithTheCaPublicKey() {
    X509Certificate identity =
        issuing.sign(
            order(
                CertificateProfile.clientIdentity(Duration.ofDays(7)),
                null,
                T0.plus(Duration.ofDays(7))));
    X509Certificate edge =
        issuing.sign(
            order(
                CertificateProfile.edgeCa(Duration.ofDays(90)),
                null,
                T0.plus(Duration.ofDays(90))));

    assertThatCode(() -> identity.verify(issuing.certificate().getPublicKey()))
        .doesNotThrowAnyException();
    assertThatCode(() -> edge.verify(issuing.certificate().getPublicKey()))
        .doesNotThrowAnyException();
  }

  @Test
  void rsaAndEd25519CasSignToo() {
    for (String type : List.of("rsa-2048", "ed25519")) {
      KeyPair caKey = key(type);
      IssuingCa ca =
          IssuingCa.createRoot(
              type, new X500Name("CN=" + type + " Root"), caKey, TEN_YEARS, T0, SERIALS);

      X509Certificate cert =
          ca.sign(
              order(
                  CertificateProfile.clientIdentity(Duration.ofDays(7)),
                  null,
                  T0.plus(Duration.ofDays(7))));

      assertThatCode(() -> cert.verify(caKey.getPublic())).as(type).doesNotThrowAnyException();
    }
  }

  @Test
  void issueGivesTheFieldsTheParsedCertificateHas() throws Exception {
    // A subject with an escaped comma, a multi-valued RDN written unsorted, and validity with
    // milliseconds (encoded as whole seconds): every field must be the encoded one, not the
    // order's.
    X500Name subject = new X500Name("CN=device\\, 7+serialNumber=0042,O=Acme Corp,C=DE");
    IssueOrder order =
        new IssueOrder(
            subject,
            null,
            spki(key("ec-p256")),
            CertificateProfile.clientIdentity(Duration.ofDays(7)),
            SERIALS.next(),
            T0.plusMillis(999),
            T0.plus(Duration.ofDays(7)).plusMillis(123));

    SignedCertificate signed = issuing.issue(order);
    X509Certificate parsed = Certificates.decode(signed.der());

    assertThat(signed.serial()).isEqualTo(parsed.getSerialNumber()).isEqualTo(order.serial());
    assertThat(signed.subjectName()).isEqualTo(parsed.getSubjectX500Principal().getName());
    assertThat(signed.issuerName())
        .isEqualTo(parsed.getIssuerX500Principal().getName())
        .isEqualTo("CN=Test Issuing");
    assertThat(signed.notBefore()).isEqualTo(parsed.getNotBefore().toInstant()).isEqualTo(T0);
    assertThat(signed.notAfter())
        .isEqualTo(parsed.getNotAfter().toInstant())
        .isEqualTo(T0.plus(Duration.ofDays(7)));
    assertThat(signed.sha256()).isEqualTo(Thumbprints.sha256(parsed));
    assertThat(signed.x509().getEncoded()).isEqualTo(signed.der());
    assertThatCode(() -> parsed.verify(issuing.certificate().getPublicKey()))
        .doesNotThrowAnyException();
  }

  @Test
  void issueCutsNotAfterToTheCasAsSignDoes() {
    Instant caNotAfter = issuing.certificate().getNotAfter().toInstant();

    SignedCertificate signed =
        issuing.issue(
            order(
                CertificateProfile.clientIdentity(Duration.ofDays(7)),
                null,
                caNotAfter.plus(Duration.ofDays(30))));

    assertThat(signed.notAfter()).isEqualTo(caNotAfter);
    assertThat(signed.x509().getNotAfter().toInstant()).isEqualTo(caNotAfter);
  }

  @Test
  void issuedDerIsACopyTheCallerCannotChange() {
    SignedCertificate signed =
        issuing.issue(
            order(
                CertificateProfile.clientIdentity(Duration.ofDays(7)),
                null,
                T0.plus(Duration.ofDays(7))));
    String sha256 = signed.sha256();

    signed.der()[0] ^= 0x7f;

    assertThat(signed.sha256()).isEqualTo(sha256);
  }

  @Test
  void signatureAlgorithmFollowsTheCaKey() {
    assertThat(IssuingCa.signatureAlgorithm(key("ec-p256").getPublic()))
        .isEqualTo("SHA256withECDSA");
    assertThat(IssuingCa.signatureAlgorithm(key("ec-p384").getPublic()))
        .isEqualTo("SHA384withECDSA");
    assertThat(IssuingCa.signatureAlgorithm(key("rsa-2048").getPublic()))
        .isEqualTo("SHA256withRSA");
    assertThat(IssuingCa.signatureAlgorithm(key("ed25519").getPublic())).isEqualTo("Ed25519");
  }
}
