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
import dev.estuary.server.auth.Principals;
import dev.estuary.server.policy.IssuancePolicy.Operation;
import dev.estuary.server.testing.TestPki;
import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IssuancePolicyTest {
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
            "issuing",
            new X500Name("CN=Policy Test CA"),
            KeyPairs.generate("ec-p256", RANDOM),
            Duration.ofDays(365),
            NOW.minus(Duration.ofDays(30)),
            serials);
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
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Label identityLabel(boolean forcing) {
    return new Label(
        "devices",
        ca,
        CertificateProfile.clientIdentity(SEVEN_DAYS),
        KeyPolicy.DEFAULT,
        List.of(),
        forcing,
        64,
        null);
  }

  private static Label identityLabelWithMaxCn(int maxCn) {
    return new Label(
        "devices",
        ca,
        CertificateProfile.clientIdentity(SEVEN_DAYS),
        KeyPolicy.DEFAULT,
        List.of(),
        true,
        maxCn,
        null);
  }

  private static Label edgeCaLabel() {
    return new Label(
        "edge",
        ca,
        CertificateProfile.edgeCa(Duration.ofDays(90)),
        KeyPolicy.DEFAULT,
        List.of(),
        true,
        64,
        null);
  }

  /** A first enrollment: authenticated by a bootstrap secret, no certificate presented. */
  private static Caller newcomer() {
    return new Caller(
        "secret",
        "factory-1",
        Principals.ofSecret("factory-1"),
        List.of(),
        "factory-1",
        null,
        null);
  }

  /** A renewal: the caller presents the certificate this label issued before. */
  private static Caller renewing() {
    return new Caller(
        "mtls",
        Thumbprints.sha256(prior),
        "x509:idevid-of-device-1",
        List.of(prior),
        null,
        new Caller.IssuedHere("devices", prior.getSerialNumber()),
        null);
  }

  /** A TLS client that presented a certificate this server did not issue (e.g. an IDevID). */
  private static Caller strangerWithCertificate() {
    return new Caller(
        "mtls",
        Thumbprints.sha256(prior),
        Principals.ofKey(prior),
        List.of(prior),
        null,
        null,
        null);
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Csr csr(String subject, Extension... extensions) throws Exception {
    return Csr.parse(TestPki.csr(deviceKey, subject, extensions));
  }

  private static IssueOrder decide(Label label, Caller caller, Csr csr, Operation op)
      throws Denial {
    return IssuancePolicy.decide(label, caller, csr, op, NameBindings.NONE, NOW, SERIAL).order();
  }

  @Test
  void refusesAKeyTheLabelDoesNotAcceptAsABadRequest() throws Exception {
    Csr weak = Csr.parse(TestPki.csr(TestPki.key("ec-p192"), "CN=device-1"));

    assertThatThrownBy(() -> decide(identityLabel(true), newcomer(), weak, Operation.ENROLL))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.KEY_NOT_ALLOWED))
        .hasMessageContaining("EC P-192")
        .hasMessageContaining("label 'devices'");
  }

  @Test
  void refusesACaRequestOnAnIdentityLabelAsForbidden() throws Exception {
    Csr caRequest =
        csr(
            "CN=device-1",
            new Extension(Extension.basicConstraints, true, new BasicConstraints(0).getEncoded()));

    assertThatThrownBy(() -> decide(identityLabel(true), newcomer(), caRequest, Operation.ENROLL))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.CA_NOT_ALLOWED))
        .hasMessageContaining("CA:TRUE")
        .hasMessageContaining("Edge CA label");
  }

  @Test
  void grantsACaRequestOnAnEdgeCaLabel() throws Exception {
    Csr caRequest =
        csr(
            "CN=edge-1",
            new Extension(Extension.basicConstraints, true, new BasicConstraints(0).getEncoded()));

    IssueOrder order = decide(edgeCaLabel(), newcomer(), caRequest, Operation.ENROLL);

    assertThat(order.profile().ca()).isTrue();
    assertThat(order.profile().pathLen()).isZero();
  }

  @Test
  void givesAClientIdentityToACsrThatDoesNotAskForACaOnAnEdgeCaLabel() throws Exception {
    IssueOrder order = decide(edgeCaLabel(), newcomer(), csr("CN=est-identity"), Operation.ENROLL);

    assertThat(order.profile().ca()).isFalse();
    assertThat(order.profile().extendedKeyUsages()).containsExactly(KeyPurposeId.id_kp_clientAuth);
    assertThat(order.profile().validity()).isEqualTo(Duration.ofDays(90));
  }

  @Test
  void refusesSimplereenrollWithoutAPriorCertificateAsForbidden() throws Exception {
    Csr request = csr("CN=device-1");

    assertThatThrownBy(() -> decide(identityLabel(true), newcomer(), request, Operation.REENROLL))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.NOT_A_RENEWAL))
        .hasMessageContaining("simplereenroll");
  }

  @Test
  void refusesSimplereenrollWithACertificateThisLabelDidNotIssue() throws Exception {
    Csr request = csr("CN=device-1");

    assertThatThrownBy(
            () ->
                decide(identityLabel(true), strangerWithCertificate(), request, Operation.REENROLL))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.NOT_A_RENEWAL));
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
    IssueOrder order =
        decide(
            identityLabel(true),
            newcomer(),
            csr("CN=device-9", sanExtension("device-9.example")),
            Operation.ENROLL);

    assertThat(order.subject()).isEqualTo(new X500Name("CN=device-9"));
    assertThat(order.subjectAltNames()).isEqualTo(sans("device-9.example"));
  }

  @Test
  void refusesACommonNameLongerThanTheLabelAllowsAsABadRequest() throws Exception {
    Csr longName = csr("CN=" + "d".repeat(17));

    assertThatThrownBy(
            () -> decide(identityLabelWithMaxCn(16), newcomer(), longName, Operation.ENROLL))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.BAD_CSR))
        .hasMessageContaining("17 characters")
        .hasMessageContaining("at most 16");
  }

  @Test
  void acceptsACommonNameOfExactlyTheMaximumLength() throws Exception {
    IssueOrder order =
        decide(
            identityLabelWithMaxCn(16), newcomer(), csr("CN=" + "d".repeat(16)), Operation.ENROLL);

    assertThat(Csr.commonName(order.subject())).hasSize(16);
  }

  @Test
  void aRenewalWithForcingIsNotHeldToTheCsrsCommonNameLength() throws Exception {
    IssueOrder order =
        decide(
            identityLabelWithMaxCn(4), renewing(), csr("CN=" + "d".repeat(16)), Operation.ENROLL);

    assertThat(order.subject()).isEqualTo(new X500Name("CN=device-1,O=Acme"));
  }

  @Test
  void refusesARequestWithNeitherCommonNameNorSanAsABadRequest() throws Exception {
    Csr anonymous = csr("O=Acme");

    assertThatThrownBy(() -> decide(identityLabel(true), newcomer(), anonymous, Operation.ENROLL))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.BAD_CSR))
        .hasMessageContaining("no subject commonName and no subjectAltName");
  }

  @Test
  void acceptsASanWithoutCommonName() throws Exception {
    IssueOrder order =
        decide(
            identityLabel(true),
            newcomer(),
            csr("O=Acme", sanExtension("device-9.example")),
            Operation.ENROLL);

    assertThat(order.subjectAltNames()).isEqualTo(sans("device-9.example"));
  }

  @Test
  void validityRunsFromFiveMinutesBeforeNowToNowPlusTheProfileValidity() throws Exception {
    IssueOrder order =
        decide(identityLabel(true), newcomer(), csr("CN=device-1"), Operation.ENROLL);

    assertThat(order.notBefore()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
    assertThat(order.notAfter()).isEqualTo(NOW.plus(SEVEN_DAYS));
  }

  @Test
  void aShortLivedCertificateIsBackdatedByATenthOfItsValidityOnly() throws Exception {
    Label twoMinutes =
        new Label(
            "short",
            ca,
            CertificateProfile.clientIdentity(Duration.ofMinutes(2)),
            KeyPolicy.DEFAULT,
            List.of(),
            true,
            64,
            null);
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
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.KEY_NOT_ALLOWED));
  }

  // --- name policy -----------------------------------------------------------------------

  private static Extension sanExtension(GeneralName... names) {
    try {
      return new Extension(
          Extension.subjectAlternativeName, false, new GeneralNames(names).getEncoded());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertNameRefused(Label label, Csr request, String why) {
    assertThatThrownBy(() -> decide(label, newcomer(), request, Operation.ENROLL))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.NAME_NOT_ALLOWED))
        .hasMessageContaining(why)
        .hasMessageContaining("label 'devices'");
  }

  @Test
  void refusesTheServersOwnNames() throws Exception {
    NamePolicy names =
        new NamePolicy(
            Set.of("dns", "ip"),
            Pattern.compile(NamePolicy.DEFAULT_DNS_PATTERN),
            Set.of(),
            Set.of("localhost", "est.example.com", "127.0.0.1"));
    Label label =
        new Label(
            "devices",
            ca,
            CertificateProfile.clientIdentity(SEVEN_DAYS),
            KeyPolicy.DEFAULT,
            List.of(),
            true,
            64,
            null,
            names,
            false,
            null);

    assertNameRefused(
        label, csr("CN=localhost"), "the common name 'localhost' is this server's name");
    assertNameRefused(label, csr("CN=EST.example.com"), "is this server's name");
    assertNameRefused(
        label,
        csr("CN=device-1", sanExtension("api.est.example.com")),
        "the DNS subjectAltName 'api.est.example.com' is this server's name");
    assertNameRefused(
        label,
        csr("CN=device-1", sanExtension(new GeneralName(GeneralName.iPAddress, "127.0.0.1"))),
        "127.0.0.1 is this server's address");
    assertThat(
            decide(
                    label,
                    newcomer(),
                    csr("CN=device-1", sanExtension("device-1.example.com")),
                    Operation.ENROLL)
                .subject())
        .hasToString("CN=device-1");
  }

  @Test
  void refusesAWildcardDnsSan() throws Exception {
    assertNameRefused(
        identityLabel(true), csr("CN=device-1", sanExtension("*.example.com")), "wildcard");
  }

  @Test
  void refusesAWildcardCommonName() throws Exception {
    assertNameRefused(identityLabel(true), csr("CN=*"), "wildcard");
  }

  @Test
  void refusesIpUriEmailAndOtherNameSansByDefault() throws Exception {
    Label label = identityLabel(true);
    assertNameRefused(
        label,
        csr("CN=device-1", sanExtension(new GeneralName(GeneralName.iPAddress, "10.0.0.1"))),
        "type ip");
    assertNameRefused(
        label,
        csr(
            "CN=device-1",
            sanExtension(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://x/y"))),
        "type uri");
    assertNameRefused(
        label,
        csr("CN=device-1", sanExtension(new GeneralName(GeneralName.rfc822Name, "a@b.example"))),
        "type email");
    ASN1EncodableVector other = new ASN1EncodableVector();
    other.add(new ASN1ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"));
    other.add(new DERTaggedObject(true, 0, new DERUTF8String("admin@corp")));
    assertNameRefused(
        label,
        csr(
            "CN=device-1",
            sanExtension(new GeneralName(GeneralName.otherName, new DERSequence(other)))),
        "type other");
  }

  @Test
  void issuesAnIpSanWhenTheLabelAllowsIt() throws Exception {
    Label label =
        withNames(
            identityLabel(true),
            new NamePolicy(Set.of("dns", "ip"), NamePolicy.DEFAULT.dnsPattern(), Set.of()));
    IssueOrder order =
        decide(
            label,
            newcomer(),
            csr("CN=device-1", sanExtension(new GeneralName(GeneralName.iPAddress, "10.0.0.1"))),
            Operation.ENROLL);

    assertThat(order.subjectAltNames().getNames()[0].getTagNo()).isEqualTo(GeneralName.iPAddress);
  }

  @Test
  void refusesAControlCharacterInTheCommonName() throws Exception {
    X500Name withNewline =
        new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String("dev\nINFO forged"))});
    Csr request = Csr.parse(TestPki.csr(deviceKey, withNewline.toString().replace("\\n", "\n")));
    // TestPki builds from a string; build the CSR by hand to carry the raw newline.
    request =
        Csr.parse(
            new JcaPKCS10CertificationRequestBuilder(withNewline, deviceKey.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(deviceKey.getPrivate()))
                .getEncoded());

    assertNameRefused(identityLabel(true), request, "control character");
  }

  @Test
  void refusesTheSubjectOfOneOfTheServersCas() throws Exception {
    X500Name caName = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    Label label =
        withNames(identityLabel(true), NamePolicy.DEFAULT.withReservedSubjects(Set.of(caName)));

    assertNameRefused(label, csr("CN=Policy Test CA"), "one of this server's CAs");
  }

  // --- name binding, name template, registration id ---------------------------------------

  private static Label withNames(Label l, NamePolicy names) {
    return new Label(
        l.name(),
        l.ca(),
        l.profile(),
        l.keyPolicy(),
        l.gates(),
        l.reenrollmentForcing(),
        l.maxCommonNameLength(),
        l.csrAttributes(),
        names,
        l.bindNames(),
        l.nameTemplate());
  }

  private static Label binding(Label l, String template) {
    return new Label(
        l.name(),
        l.ca(),
        l.profile(),
        l.keyPolicy(),
        l.gates(),
        l.reenrollmentForcing(),
        l.maxCommonNameLength(),
        l.csrAttributes(),
        l.names(),
        true,
        template);
  }

  /** Bindings held in a map: label/name -> principal. */
  private static NameBindings bindings(Map<String, String> held) {
    return new NameBindings() {
      @Override
      public Optional<String> holderOf(String label, String name) {
        return Optional.ofNullable(held.get(label + "/" + name));
      }

      @Override
      public Optional<String> nameOf(String label, String principal) {
        return held.entrySet().stream()
            .filter(e -> e.getKey().startsWith(label + "/") && e.getValue().equals(principal))
            .map(e -> e.getKey().substring(label.length() + 1))
            .findFirst();
      }
    };
  }

  private static IssuancePolicy.Decision decide(Label label, Caller caller, Csr csr, NameBindings b)
      throws Denial {
    return IssuancePolicy.decide(label, caller, csr, Operation.ENROLL, b, NOW, SERIAL);
  }

  @Test
  void aFreeNameIsBoundToTheFirstIdentityThatAsks() throws Exception {
    IssuancePolicy.Decision d =
        decide(
            binding(identityLabel(true), null),
            strangerWithCertificate(),
            csr("CN=victim"),
            bindings(Map.of()));

    assertThat(d.bindName()).isEqualTo("victim");
  }

  @Test
  void anotherIdentityAskingForABoundNameIsRefused() throws Exception {
    NameBindings b = bindings(Map.of("devices/victim", "x509:the-victims-idevid"));

    assertThatThrownBy(
            () ->
                decide(
                    binding(identityLabel(true), null),
                    strangerWithCertificate(),
                    csr("CN=victim"),
                    b))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.NAME_BOUND))
        .hasMessageContaining("'victim'")
        .hasMessageContaining("binding release devices victim");
  }

  @Test
  void theHolderOfABoundNameGetsItAgainWithoutANewBinding() throws Exception {
    Caller stranger = strangerWithCertificate();
    NameBindings b = bindings(Map.of("devices/device-7", stranger.principal()));

    IssuancePolicy.Decision d =
        decide(binding(identityLabel(true), null), stranger, csr("CN=device-7"), b);

    assertThat(Csr.commonName(d.order().subject())).isEqualTo("device-7");
    assertThat(d.bindName()).isNull();
  }

  @Test
  void aBoundIdentityCannotTakeASecondName() throws Exception {
    Caller stranger = strangerWithCertificate();
    NameBindings b = bindings(Map.of("devices/device-7", stranger.principal()));

    assertThatThrownBy(
            () -> decide(binding(identityLabel(true), null), stranger, csr("CN=device-8"), b))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.IDENTITY_BOUND))
        .hasMessageContaining("'device-7'");
  }

  @Test
  void withBindingARenewalKeepsItsNameEvenWithForcingOff() throws Exception {
    NameBindings b = bindings(Map.of("devices/device-1", renewing().principal()));

    IssuancePolicy.Decision d =
        decide(binding(identityLabel(false), null), renewing(), csr("CN=someone-else"), b);

    assertThat(d.order().subject()).isEqualTo(new X500Name("CN=device-1,O=Acme"));
  }

  @Test
  void aRenewalOfANameNowBoundToAnotherIdentityIsRefused() throws Exception {
    NameBindings b = bindings(Map.of("devices/device-1", "x509:someone-else"));

    assertThatThrownBy(
            () -> decide(binding(identityLabel(true), null), renewing(), csr("CN=device-1"), b))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.NAME_BOUND));
  }

  @Test
  void theNameTemplateNamesTheDeviceAfterItsIdevid() throws Exception {
    Label label = binding(identityLabel(true), "dev-{subject.cn}");

    IssuancePolicy.Decision d =
        decide(label, strangerWithCertificate(), csr("O=Acme"), bindings(Map.of()));

    assertThat(d.order().subject()).isEqualTo(new X500Name("CN=dev-device-1"));
    assertThat(d.bindName()).isEqualTo("dev-device-1");
  }

  @Test
  void theNameTemplateRefusesACsrAskingForAnotherName() throws Exception {
    Label label = binding(identityLabel(true), "{serial}");

    assertThatThrownBy(
            () -> decide(label, strangerWithCertificate(), csr("CN=victim"), bindings(Map.of())))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.NAME_MISMATCH))
        .hasMessageContaining(prior.getSerialNumber().toString(16));
  }

  @Test
  void aDpsCallerGetsOnlyItsRegistrationId() throws Exception {
    Caller dps =
        new Caller("dps", "sha", Principals.ofKey(prior), List.of(prior), null, null, "device-1");

    assertThat(
            Csr.commonName(
                decide(identityLabel(true), dps, csr("CN=device-1"), Operation.ENROLL).subject()))
        .isEqualTo("device-1");
    assertThatThrownBy(() -> decide(identityLabel(true), dps, csr("CN=victim"), Operation.ENROLL))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.NAME_MISMATCH))
        .hasMessageContaining("registration id 'device-1'");
  }
}
