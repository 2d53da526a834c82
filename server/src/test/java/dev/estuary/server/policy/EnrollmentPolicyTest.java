package dev.estuary.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.Csr;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.KeyPolicy;
import dev.estuary.pki.Serials;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.auth.Caller;
import dev.estuary.server.policy.EnrollmentPolicy.Operation;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.testing.TestPki;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EnrollmentPolicyTest {
  private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
  private static final BigInteger SERIAL = new BigInteger("123456789012345678901234567890");
  private static final Duration SEVEN_DAYS = Duration.ofDays(7);
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final GeneralNames PRIOR_SANS = sans("device-1.example");

  private static IssuingCa ca;
  private static KeyPair deviceKey;
  private static X509Certificate prior;

  @BeforeAll
  static void issuingCaAndAPriorCertificate() {
    Serials serials = new Serials(RANDOM);
    ca =
        IssuingCa.createRoot(
            "issuing", new X500Name("CN=Policy Test CA"), KeyPairs.generate("ec-p256", RANDOM), Duration.ofDays(365), NOW.minus(Duration.ofDays(30)), serials);
    deviceKey = TestPki.key("ec-p256");
    prior =
        ca.sign(
            new IssueOrder(
                new X500Name("CN=device-1,O=Acme"),
                PRIOR_SANS,
                SubjectPublicKeyInfo.getInstance(deviceKey.getPublic().getEncoded()),
                CertificateProfile.clientIdentity(SEVEN_DAYS),
                serials.next(),
                NOW.minus(Duration.ofDays(6)),
                NOW.plus(Duration.ofDays(1))));
  }

  private static GeneralNames sans(String dns) {
    return new GeneralNames(new GeneralName(GeneralName.dNSName, dns));
  }

  private static Extension sanExtension(String dns) {
    try {
      return new Extension(Extension.subjectAlternativeName, false, sans(dns).getEncoded());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Label identityLabel(boolean forcing) {
    return new Label("devices", ca, CertificateProfile.clientIdentity(SEVEN_DAYS), KeyPolicy.DEFAULT, List.of(), forcing, 64, null);
  }

  private static Label identityLabelWithMaxCn(int maxCn) {
    return new Label("devices", ca, CertificateProfile.clientIdentity(SEVEN_DAYS), KeyPolicy.DEFAULT, List.of(), true, maxCn, null);
  }

  private static Label edgeCaLabel() {
    return new Label("edge", ca, CertificateProfile.edgeCa(Duration.ofDays(90)), KeyPolicy.DEFAULT, List.of(), true, 64, null);
  }

  /** A first enrollment: authenticated by a bootstrap secret, no certificate presented. */
  private static Caller newcomer() {
    return new Caller("secret", "factory-1", List.of(), "factory-1", null);
  }

  /** A renewal: the caller presents the certificate this label issued before. */
  private static Caller renewing() {
    CertificateRecord record =
        new CertificateRecord(
            prior.getSerialNumber(),
            prior.getSubjectX500Principal().getName(),
            prior.getIssuerX500Principal().getName(),
            prior.getNotBefore().toInstant(),
            prior.getNotAfter().toInstant(),
            "devices",
            "EC P-256",
            Thumbprints.sha256(prior),
            "secret",
            "factory-1",
            prior.getNotBefore().toInstant(),
            encoded(prior),
            null,
            null);
    return new Caller("mtls", Thumbprints.sha256(prior), List.of(prior, ca.certificate()), null, record);
  }

  /** A TLS client that presented a certificate this server did not issue (e.g. an IDevID). */
  private static Caller strangerWithCertificate() {
    return new Caller("mtls", Thumbprints.sha256(prior), List.of(prior), null, null);
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Csr csr(String subject, Extension... extensions) throws Exception {
    return Csr.parse(TestPki.csr(deviceKey, subject, extensions));
  }

  private static IssueOrder decide(Label label, Caller caller, Csr csr, Operation op) throws Refusal {
    return EnrollmentPolicy.decide(label, caller, csr, op, NOW, SERIAL);
  }

  @Test
  void refusesAKeyTheLabelDoesNotAcceptAsABadRequest() throws Exception {
    Csr weak = Csr.parse(TestPki.csr(TestPki.key("ec-p192"), "CN=device-1"));

    assertThatThrownBy(() -> decide(identityLabel(true), newcomer(), weak, Operation.ENROLL))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(400))
        .hasMessageContaining("EC P-192")
        .hasMessageContaining("label 'devices'");
  }

  @Test
  void refusesACaRequestOnAnIdentityLabelAsForbidden() throws Exception {
    Csr caRequest = csr("CN=device-1", new Extension(Extension.basicConstraints, true, new BasicConstraints(0).getEncoded()));

    assertThatThrownBy(() -> decide(identityLabel(true), newcomer(), caRequest, Operation.ENROLL))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(403))
        .hasMessageContaining("CA:TRUE")
        .hasMessageContaining("Edge CA label");
  }

  @Test
  void grantsACaRequestOnAnEdgeCaLabel() throws Exception {
    Csr caRequest = csr("CN=edge-1", new Extension(Extension.basicConstraints, true, new BasicConstraints(0).getEncoded()));

    IssueOrder order = decide(edgeCaLabel(), newcomer(), caRequest, Operation.ENROLL);

    assertThat(order.profile().ca()).isTrue();
    assertThat(order.profile().pathLen()).isZero();
  }

  @Test
  void givesAClientIdentityToACsrThatDoesNotAskForACaOnAnEdgeCaLabel() throws Exception {
    IssueOrder order = decide(edgeCaLabel(), newcomer(), csr("CN=est-identity"), Operation.ENROLL);

    assertThat(order.profile().ca()).isFalse();
    assertThat(order.profile().extendedKeyUsages()).containsExactly(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_clientAuth);
    assertThat(order.profile().validity()).isEqualTo(Duration.ofDays(90));
  }

  @Test
  void refusesSimplereenrollWithoutAPriorCertificateAsForbidden() throws Exception {
    Csr request = csr("CN=device-1");

    assertThatThrownBy(() -> decide(identityLabel(true), newcomer(), request, Operation.REENROLL))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(403))
        .hasMessageContaining("simplereenroll");
  }

  @Test
  void refusesSimplereenrollWithACertificateThisLabelDidNotIssue() throws Exception {
    Csr request = csr("CN=device-1");

    assertThatThrownBy(() -> decide(identityLabel(true), strangerWithCertificate(), request, Operation.REENROLL))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(403));
  }

  @Test
  void withForcingOnARenewalKeepsThePriorSubjectAndSans() throws Exception {
    Csr other = csr("CN=someone-else,O=Elsewhere", sanExtension("someone-else.example"));

    IssueOrder order = decide(identityLabel(true), renewing(), other, Operation.ENROLL);

    assertThat(order.subject()).isEqualTo(new X500Name("CN=device-1,O=Acme"));
    assertThat(order.subjectAltNames()).isEqualTo(PRIOR_SANS);
  }

  @Test
  void withForcingOffARenewalThroughSimpleenrollHonoursTheCsr() throws Exception {
    Csr other = csr("CN=someone-else,O=Elsewhere", sanExtension("someone-else.example"));

    IssueOrder order = decide(identityLabel(false), renewing(), other, Operation.ENROLL);

    assertThat(order.subject()).isEqualTo(new X500Name("CN=someone-else,O=Elsewhere"));
    assertThat(order.subjectAltNames()).isEqualTo(sans("someone-else.example"));
  }

  @Test
  void simplereenrollKeepsThePriorSubjectEvenWithForcingOff() throws Exception {
    Csr other = csr("CN=someone-else", sanExtension("someone-else.example"));

    IssueOrder order = decide(identityLabel(false), renewing(), other, Operation.REENROLL);

    assertThat(order.subject()).isEqualTo(new X500Name("CN=device-1,O=Acme"));
    assertThat(order.subjectAltNames()).isEqualTo(PRIOR_SANS);
  }

  @Test
  void aFirstEnrollmentTakesTheCsrsSubjectAndSans() throws Exception {
    IssueOrder order = decide(identityLabel(true), newcomer(), csr("CN=device-9", sanExtension("device-9.example")), Operation.ENROLL);

    assertThat(order.subject()).isEqualTo(new X500Name("CN=device-9"));
    assertThat(order.subjectAltNames()).isEqualTo(sans("device-9.example"));
  }

  @Test
  void refusesACommonNameLongerThanTheLabelAllowsAsABadRequest() throws Exception {
    Csr longName = csr("CN=" + "d".repeat(17));

    assertThatThrownBy(() -> decide(identityLabelWithMaxCn(16), newcomer(), longName, Operation.ENROLL))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(400))
        .hasMessageContaining("17 characters")
        .hasMessageContaining("at most 16");
  }

  @Test
  void acceptsACommonNameOfExactlyTheMaximumLength() throws Exception {
    IssueOrder order = decide(identityLabelWithMaxCn(16), newcomer(), csr("CN=" + "d".repeat(16)), Operation.ENROLL);

    assertThat(Csr.commonName(order.subject())).hasSize(16);
  }

  @Test
  void aRenewalWithForcingIsNotHeldToTheCsrsCommonNameLength() throws Exception {
    IssueOrder order = decide(identityLabelWithMaxCn(4), renewing(), csr("CN=" + "d".repeat(16)), Operation.ENROLL);

    assertThat(order.subject()).isEqualTo(new X500Name("CN=device-1,O=Acme"));
  }

  @Test
  void refusesARequestWithNeitherCommonNameNorSanAsABadRequest() throws Exception {
    Csr anonymous = csr("O=Acme");

    assertThatThrownBy(() -> decide(identityLabel(true), newcomer(), anonymous, Operation.ENROLL))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(400))
        .hasMessageContaining("no subject commonName and no subjectAltName");
  }

  @Test
  void acceptsASanWithoutCommonName() throws Exception {
    IssueOrder order = decide(identityLabel(true), newcomer(), csr("O=Acme", sanExtension("device-9.example")), Operation.ENROLL);

    assertThat(order.subjectAltNames()).isEqualTo(sans("device-9.example"));
  }

  @Test
  void validityRunsFromFiveMinutesBeforeNowToNowPlusTheProfileValidity() throws Exception {
    IssueOrder order = decide(identityLabel(true), newcomer(), csr("CN=device-1"), Operation.ENROLL);

    assertThat(order.notBefore()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
    assertThat(order.notAfter()).isEqualTo(NOW.plus(SEVEN_DAYS));
  }

  @Test
  void aShortLivedCertificateIsBackdatedByATenthOfItsValidityOnly() throws Exception {
    Label twoMinutes =
        new Label("short", ca, CertificateProfile.clientIdentity(Duration.ofMinutes(2)), KeyPolicy.DEFAULT, List.of(), true, 64, null);
    IssueOrder order = decide(twoMinutes, newcomer(), csr("CN=device-1"), Operation.ENROLL);

    assertThat(order.notBefore()).isEqualTo(NOW.minus(Duration.ofSeconds(12)));
    assertThat(order.notAfter()).isEqualTo(NOW.plus(Duration.ofMinutes(2)));
  }

  @Test
  void theOrderCarriesTheCsrKeyTheLabelProfileAndTheGivenSerial() throws Exception {
    Csr request = csr("CN=device-1");

    IssueOrder order = decide(identityLabel(true), newcomer(), request, Operation.ENROLL);

    assertThat(order.publicKey()).isEqualTo(request.publicKeyInfo());
    assertThat(order.profile()).isEqualTo(CertificateProfile.clientIdentity(SEVEN_DAYS));
    assertThat(order.serial()).isEqualTo(SERIAL);
  }

  @Test
  void aRenewalStillHasItsKeyChecked() throws Exception {
    Csr weak = Csr.parse(TestPki.csr(TestPki.key("ec-p192"), "CN=device-1"));

    assertThatThrownBy(() -> decide(identityLabel(true), renewing(), weak, Operation.REENROLL))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(400));
  }
}
