package dev.estuary.agent.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.agent.credential.IssuedCertificateCheck.Expected;
import dev.estuary.agent.credential.IssuedCertificateCheck.Unacceptable;
import dev.estuary.agent.testing.TestCa;
import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.CsrBuilder;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

/**
 * {@link IssuedCertificateCheck} on its own (no server): the answers a good EST server gives pass,
 * in both shapes (issued certificate with its chain, or alone with the chain from cacerts), and
 * each bad answer of issue 16 point 1 is refused with a reason naming what is wrong.
 */
class IssuedCertificateCheckTest {
  private static final String CN = "my-device";
  private static final TestCa ROOT = TestCa.root("Device Trust Root", Duration.ofDays(3 * 365));
  private static final TestCa ISSUING = ROOT.subordinate("Device Issuing CA", 1);
  private static final IssuedCertificateCheck CHECK =
      new IssuedCertificateCheck(List.of(ROOT.certificate()));

  private final KeyPair key = TestCa.newKey();
  private final Instant now = Instant.now();

  @Test
  void aClientIdentityWithItsChainPassesAndIsStoredLeafThenIntermediates() throws Exception {
    X509Certificate leaf = ISSUING.client(CN, key.getPublic());

    List<X509Certificate> stored =
        CHECK.check(
            List.of(leaf, ISSUING.certificate(), ROOT.certificate()), List.of(), client(), now);

    assertThat(stored).containsExactly(leaf, ISSUING.certificate());
  }

  @Test
  void anIntermediateInTrustedCertsIsKeptInTheStoredChainForVerifiersThatTrustTheRoot()
      throws Exception {
    X509Certificate leaf = ISSUING.client(CN, key.getPublic());

    List<X509Certificate> stored =
        new IssuedCertificateCheck(List.of(ISSUING.certificate()))
            .check(List.of(leaf), List.of(), client(), now);

    assertThat(stored).containsExactly(leaf, ISSUING.certificate());
  }

  @Test
  void anIssuedCertificateAloneIsUnchainedUntilCacertsCompletesIt() throws Exception {
    X509Certificate leaf = ISSUING.client(CN, key.getPublic());

    assertThatThrownBy(() -> CHECK.check(List.of(leaf), List.of(), client(), now))
        .isInstanceOfSatisfying(Unacceptable.class, e -> assertThat(e.unchained()).isTrue())
        .hasMessageContaining("does not chain to trusted_certs")
        .hasMessageContaining("neither trusted_certs nor the chain offered holds its issuer");
    // cacerts as the Estuary server orders it: the root first.
    List<X509Certificate> stored =
        CHECK.check(
            List.of(leaf), List.of(ROOT.certificate(), ISSUING.certificate()), client(), now);

    assertThat(stored).containsExactly(leaf, ISSUING.certificate());
  }

  @Test
  void aCertificateFromAnUntrustedRootIsRefusedEvenWithItsWholeChain() {
    TestCa rogue = TestCa.root("Rogue Root", Duration.ofDays(36_500));
    X509Certificate leaf =
        rogue.issue(
            CN,
            null,
            key.getPublic(),
            CertificateProfile.clientIdentity(Duration.ofDays(36_500)),
            now.minusSeconds(60),
            now.plus(Duration.ofDays(36_500)));

    assertThatThrownBy(
            () ->
                CHECK.check(
                    List.of(leaf, rogue.certificate()),
                    List.of(rogue.certificate()),
                    client(),
                    now))
        .isInstanceOfSatisfying(Unacceptable.class, e -> assertThat(e.unchained()).isTrue())
        .hasMessageContaining("issuer 'CN=Rogue Root'")
        .hasMessageContaining("does not chain to trusted_certs");
  }

  @Test
  void cacertsThatDoNotThemselvesChainToTheTrustAddNothing() {
    TestCa rogue =
        TestCa.root("Device Issuing CA", TestCa.VALIDITY); // same name as the genuine issuing CA
    X509Certificate leaf = rogue.client(CN, key.getPublic());

    assertThatThrownBy(
            () ->
                CHECK.check(
                    List.of(leaf), List.of(rogue.certificate(), ROOT.certificate()), client(), now))
        .isInstanceOf(Unacceptable.class)
        .hasMessageContaining("does not chain to trusted_certs");
  }

  @Test
  void anEdgeCaFromAnUntrustedRootIsRefused() {
    TestCa rogue = TestCa.root("Rogue Root", TestCa.VALIDITY);
    X509Certificate edgeCa = rogue.edgeCa(CN, TestCa.spki(key.getPublic()));

    assertThatThrownBy(
            () -> CHECK.check(List.of(edgeCa, rogue.certificate()), List.of(), edgeCa(), now))
        .isInstanceOf(Unacceptable.class)
        .hasMessageContaining("does not chain to trusted_certs");
  }

  @Test
  void aGenuineEdgeCaPasses() throws Exception {
    X509Certificate edgeCa = ISSUING.edgeCa(CN, TestCa.spki(key.getPublic()));

    assertThat(
            CHECK.check(
                List.of(edgeCa), List.of(ROOT.certificate(), ISSUING.certificate()), edgeCa(), now))
        .containsExactly(edgeCa, ISSUING.certificate());
  }

  @Test
  void anotherCommonNameIsRefused() {
    X509Certificate leaf = ISSUING.client("someone-else", key.getPublic());

    assertThatThrownBy(
            () -> CHECK.check(List.of(leaf, ISSUING.certificate()), List.of(), client(), now))
        .isInstanceOfSatisfying(Unacceptable.class, e -> assertThat(e.unchained()).isFalse())
        .hasMessage(
            "the certificate returned is for 'CN=someone-else', not CN=my-device as requested");
  }

  @Test
  void aSubjectAltNameNotRequestedIsRefused() {
    X509Certificate leaf =
        ISSUING.issue(
            CN,
            new GeneralNames(new GeneralName(GeneralName.dNSName, "est.example.com")),
            key.getPublic(),
            CertificateProfile.clientIdentity(TestCa.VALIDITY),
            now.minusSeconds(60),
            now.plus(TestCa.VALIDITY));

    assertThatThrownBy(
            () -> CHECK.check(List.of(leaf, ISSUING.certificate()), List.of(), client(), now))
        .isInstanceOf(Unacceptable.class)
        .hasMessageContaining("est.example.com")
        .hasMessageContaining("subjectAltName");
  }

  @Test
  void aCertificateValidOnlyFromNextYearIsRefused() {
    Instant nextYear = now.plus(Duration.ofDays(365));
    X509Certificate leaf =
        ROOT.client(CN, TestCa.spki(key.getPublic()), nextYear, nextYear.plus(TestCa.VALIDITY));

    assertThatThrownBy(() -> CHECK.check(List.of(leaf), List.of(), client(), now))
        .isInstanceOf(Unacceptable.class)
        .hasMessageStartingWith(
            "the certificate returned is not valid before " + leaf.getNotBefore().toInstant());
  }

  @Test
  void aNotBeforeJustAheadOfTheDevicesClockIsAccepted() throws Exception {
    Instant soon = now.plus(Duration.ofMinutes(2));
    X509Certificate leaf =
        ISSUING.client(CN, TestCa.spki(key.getPublic()), soon, soon.plus(Duration.ofDays(1)));

    assertThat(CHECK.check(List.of(leaf, ISSUING.certificate()), List.of(), client(), now))
        .hasSize(2);
  }

  @Test
  void aThousandCertificateChainIsRefusedBeforeAnyPathIsBuilt() {
    X509Certificate leaf = ISSUING.client(CN, key.getPublic());
    List<X509Certificate> answer = new ArrayList<>(Collections.nCopies(999, ISSUING.certificate()));
    answer.add(0, leaf);

    assertThatThrownBy(() -> CHECK.check(answer, List.of(), client(), now))
        .isInstanceOf(Unacceptable.class)
        .hasMessage("the answer holds 1000 certificates; at most 10 are accepted");
    assertThatThrownBy(() -> CHECK.check(List.of(leaf), answer, client(), now))
        .isInstanceOf(Unacceptable.class)
        .hasMessage("cacerts holds 1000 certificates; at most 10 are accepted");
  }

  @Test
  void aClientIdentityThatIsACaOrNotForClientAuthIsRefused() {
    X509Certificate ca = ISSUING.edgeCa(CN, TestCa.spki(key.getPublic()));
    X509Certificate serverOnly =
        ISSUING.issue(
            CN,
            null,
            key.getPublic(),
            new CertificateProfile(
                false,
                -1,
                KeyUsage.digitalSignature,
                List.of(KeyPurposeId.id_kp_serverAuth),
                TestCa.VALIDITY),
            now.minusSeconds(60),
            now.plus(TestCa.VALIDITY));

    assertThatThrownBy(
            () -> CHECK.check(List.of(ca, ISSUING.certificate()), List.of(), client(), now))
        .hasMessage("the certificate returned for a client identity is a CA certificate");
    assertThatThrownBy(
            () -> CHECK.check(List.of(serverOnly, ISSUING.certificate()), List.of(), client(), now))
        .hasMessageContaining("not for TLS client authentication");
  }

  @Test
  void anEdgeCaThatCannotSignCertificatesIsRefused() {
    X509Certificate noCertSign =
        ISSUING.issue(
            CN,
            null,
            key.getPublic(),
            new CertificateProfile(true, 0, KeyUsage.digitalSignature, List.of(), TestCa.VALIDITY),
            now.minusSeconds(60),
            now.plus(TestCa.VALIDITY));
    X509Certificate notCa = ISSUING.client(CN, key.getPublic());

    assertThatThrownBy(
            () -> CHECK.check(List.of(noCertSign, ISSUING.certificate()), List.of(), edgeCa(), now))
        .hasMessageContaining("no keyCertSign");
    assertThatThrownBy(
            () -> CHECK.check(List.of(notCa, ISSUING.certificate()), List.of(), edgeCa(), now))
        .hasMessageContaining("is not a CA certificate");
  }

  @Test
  void aCertificateForAnotherKeyIsRefused() {
    X509Certificate leaf = ISSUING.client(CN, TestCa.newKey().getPublic());

    assertThatThrownBy(
            () -> CHECK.check(List.of(leaf, ISSUING.certificate()), List.of(), client(), now))
        .hasMessage("the certificate returned is for another key");
  }

  @Test
  void aStoredChainIsJudgedByTrustNotByItsDates() throws Exception {
    X509Certificate oneDay =
        ISSUING.client(CN, TestCa.spki(key.getPublic()), now, now.plus(Duration.ofDays(1)));
    X509Certificate untrusted =
        TestCa.root("Rogue Root", TestCa.VALIDITY).client(CN, key.getPublic());
    Instant threeDaysOn = now.plus(Duration.ofDays(3));

    assertThat(CHECK.stored(List.of(oneDay, ISSUING.certificate()), threeDaysOn))
        .hasSize(2); // expired, but trusted
    assertThatThrownBy(() -> CHECK.stored(List.of(untrusted), now))
        .hasMessageContaining("does not chain to trusted_certs");
  }

  private Expected client() {
    return expected(key.getPublic(), CsrBuilder.Kind.CLIENT_IDENTITY);
  }

  private Expected edgeCa() {
    return expected(key.getPublic(), CsrBuilder.Kind.EDGE_CA);
  }

  private static Expected expected(PublicKey key, CsrBuilder.Kind kind) {
    return new Expected(key, CN, kind);
  }
}
