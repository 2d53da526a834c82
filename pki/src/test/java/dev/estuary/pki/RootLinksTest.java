package dev.estuary.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;

class RootLinksTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Serials SERIALS = new Serials(RANDOM);
  private static final Duration TEN_YEARS = Duration.ofDays(3650);
  private final Instant now = Instant.now();

  private final IssuingCa oldRoot = root("Old Root");
  private final KeyPair newKey = KeyPairs.generate("ec-p256", RANDOM);
  private final IssuingCa newRoot =
      IssuingCa.createRoot("new", new X500Name("CN=New Root"), newKey, TEN_YEARS, now, SERIALS);

  private static IssuingCa root(String cn) {
    return IssuingCa.createRoot(
        cn,
        new X500Name("CN=" + cn),
        KeyPairs.generate("ec-p256", RANDOM),
        TEN_YEARS,
        Instant.now(),
        SERIALS);
  }

  /** NewWithOld: the new root's subject and key, signed by {@code signer}. */
  private X509Certificate link(IssuingCa signer, KeyPair key, String subject) {
    return signer
        .createSubordinate(
            "link",
            new X500Name(subject),
            key,
            CertificateProfile.authority(-1, TEN_YEARS),
            now,
            SERIALS)
        .certificate();
  }

  @Test
  void aNewRootWhoseLinkVerifiesUnderATrustedRootIsAdded() {
    X509Certificate newWithOld = link(oldRoot, newKey, "CN=New Root");
    RootLinks.Decision d =
        RootLinks.newRoots(
            List.of(oldRoot.certificate()),
            List.of(oldRoot.certificate(), newRoot.certificate(), newWithOld),
            now);
    assertThat(d.added()).containsExactly(newRoot.certificate());
    assertThat(d.refused()).isEmpty();
  }

  @Test
  void aRootWithoutALinkIsRefused() {
    RootLinks.Decision d =
        RootLinks.newRoots(
            List.of(oldRoot.certificate()),
            List.of(oldRoot.certificate(), newRoot.certificate()),
            now);
    assertThat(d.added()).isEmpty();
    assertThat(d.refused()).singleElement().asString().contains("no link certificate");
  }

  @Test
  void aLinkSignedByAnUntrustedRootSlipsNothingIn() {
    // A foreign root, with a "link" signed by another key that merely uses the trusted root's name.
    IssuingCa impostor =
        IssuingCa.createRoot(
            "impostor",
            new X500Name("CN=Old Root"),
            KeyPairs.generate("ec-p256", RANDOM),
            TEN_YEARS,
            now,
            SERIALS);
    X509Certificate forged = link(impostor, newKey, "CN=New Root");
    RootLinks.Decision d =
        RootLinks.newRoots(
            List.of(oldRoot.certificate()), List.of(newRoot.certificate(), forged), now);
    assertThat(d.added()).isEmpty();
    assertThat(d.refused()).singleElement().asString().contains("no link certificate");
  }

  @Test
  void aLinkForAnotherKeyDoesNotVouchForTheRoot() {
    X509Certificate otherKey = link(oldRoot, KeyPairs.generate("ec-p256", RANDOM), "CN=New Root");
    RootLinks.Decision d =
        RootLinks.newRoots(
            List.of(oldRoot.certificate()), List.of(newRoot.certificate(), otherKey), now);
    assertThat(d.added()).isEmpty();
  }

  @Test
  void aSelfIssuedNonCaIsRefused() {
    KeyPair k = KeyPairs.generate("ec-p256", RANDOM);
    X509Certificate leaf =
        IssuingCa.selfSigned(
            "Not A CA", k.getPublic(), k.getPrivate(), null, TEN_YEARS, now, SERIALS);
    RootLinks.Decision d = RootLinks.newRoots(List.of(oldRoot.certificate()), List.of(leaf), now);
    assertThat(d.added()).isEmpty();
    assertThat(d.refused()).singleElement().asString().contains("is not a CA certificate");
  }

  @Test
  void aSelfIssuedCaWhoseSignatureDoesNotVerifyIsRefused() {
    // Issuer name = subject name, but signed by the old root's key: not self-signed.
    X509Certificate notSelfSigned =
        oldRoot
            .createSubordinate(
                "x",
                new X500Name("CN=Old Root"),
                newKey,
                CertificateProfile.authority(-1, TEN_YEARS),
                now,
                SERIALS)
            .certificate();
    RootLinks.Decision d =
        RootLinks.newRoots(List.of(newRoot.certificate()), List.of(notSelfSigned), now);
    assertThat(d.added()).isEmpty();
    assertThat(d.refused()).singleElement().asString().contains("not self-signed");
  }

  @Test
  void withoutLinksDropsTheLinksOfTheRootsInTheList() {
    X509Certificate newWithOld = link(oldRoot, newKey, "CN=New Root");
    X509Certificate oldWithNew =
        newRoot
            .createSubordinate(
                "l",
                new X500Name("CN=Old Root"),
                new KeyPair(oldRoot.certificate().getPublicKey(), oldRoot.key()),
                CertificateProfile.authority(-1, TEN_YEARS),
                now,
                SERIALS)
            .certificate();
    IssuingCa issuing =
        newRoot.createSubordinate(
            "ca",
            new X500Name("CN=Issuing"),
            KeyPairs.generate("ec-p256", RANDOM),
            0,
            TEN_YEARS,
            now,
            SERIALS);
    assertThat(
            RootLinks.withoutLinks(
                List.of(
                    newRoot.certificate(),
                    oldRoot.certificate(),
                    newWithOld,
                    oldWithNew,
                    issuing.certificate())))
        .containsExactly(newRoot.certificate(), oldRoot.certificate(), issuing.certificate());
  }
}
