package dev.estuary.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.agent.credential.IssuedCertificateCheck;
import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.CsrBuilder;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, the agent follows a root rollover: a new root joins the trust store (a file in the
 * state directory) only through a link certificate that verifies under a root already trusted; the
 * issued-certificate check accepts certificates under the new root once it is trusted.
 */
class TrustStoreTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Serials SERIALS = new Serials(RANDOM);
  private static final Duration YEAR = Duration.ofDays(365);
  private final Instant now = Instant.now();
  @TempDir Path state;

  private final IssuingCa oldRoot = root("Old Root", KeyPairs.generate("ec-p256", RANDOM));
  private final KeyPair newKey = KeyPairs.generate("ec-p256", RANDOM);
  private final IssuingCa newRoot = root("New Root", newKey);
  private final X509Certificate newWithOld =
      oldRoot
          .createSubordinate(
              "link",
              new X500Name("CN=New Root"),
              newKey,
              CertificateProfile.authority(-1, YEAR),
              now,
              SERIALS)
          .certificate();

  private IssuingCa root(String cn, KeyPair key) {
    return IssuingCa.createRoot(cn, new X500Name("CN=" + cn), key, YEAR, now, SERIALS);
  }

  @Test
  void aLinkedRootIsAddedWrittenPrivatelyAndReadBackAfterARestart() throws Exception {
    TrustStore trust = TrustStore.open(state, List.of(oldRoot.certificate()));
    assertThat(trust.added()).isEmpty();
    List<X509Certificate> caCerts =
        List.of(oldRoot.certificate(), newRoot.certificate(), newWithOld);

    assertThat(trust.learn(caCerts, now)).containsExactly(newRoot.certificate());
    assertThat(trust.all()).containsExactly(oldRoot.certificate(), newRoot.certificate());
    Path file = state.resolve(TrustStore.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(trust.learn(caCerts, now)).as("known already: nothing new").isEmpty();

    TrustStore reopened = TrustStore.open(state, List.of(oldRoot.certificate()));
    assertThat(reopened.added()).containsExactly(newRoot.certificate());
  }

  @Test
  void aRootWithoutAValidLinkIsNotAddedAndNothingIsWritten() throws Exception {
    TrustStore trust = TrustStore.open(state, List.of(oldRoot.certificate()));
    IssuingCa stranger = root("Old Root", KeyPairs.generate("ec-p256", RANDOM));
    X509Certificate forged =
        stranger
            .createSubordinate(
                "link",
                new X500Name("CN=New Root"),
                newKey,
                CertificateProfile.authority(-1, YEAR),
                now,
                SERIALS)
            .certificate();
    assertThat(trust.learn(List.of(newRoot.certificate(), forged), now)).isEmpty();
    assertThat(trust.learn(List.of(newRoot.certificate()), now)).isEmpty();
    assertThat(Files.exists(state.resolve(TrustStore.FILE))).isFalse();
    assertThat(trust.all()).containsExactly(oldRoot.certificate());
  }

  @Test
  void aCertificateUnderTheNewRootPassesTheIssuedCertificateCheckOnceTheRootIsTrusted()
      throws Exception {
    IssuingCa issuing =
        newRoot.createSubordinate(
            "ca",
            new X500Name("CN=Issuing G3"),
            KeyPairs.generate("ec-p256", RANDOM),
            0,
            YEAR,
            now,
            SERIALS);
    KeyPair device = KeyPairs.generate("ec-p256", RANDOM);
    X509Certificate leaf =
        issuing.sign(
            new IssueOrder(
                new X500Name("CN=my-device-id"),
                null,
                SubjectPublicKeyInfo.getInstance(device.getPublic().getEncoded()),
                CertificateProfile.clientIdentity(Duration.ofDays(1)),
                SERIALS.next(),
                now.minusSeconds(60),
                now.plus(Duration.ofDays(1))));
    IssuedCertificateCheck.Expected expected =
        new IssuedCertificateCheck.Expected(
            device.getPublic(), "my-device-id", CsrBuilder.Kind.CLIENT_IDENTITY);
    TrustStore trust = TrustStore.open(state, List.of(oldRoot.certificate()));
    assertThatThrownBy(
            () ->
                new IssuedCertificateCheck(trust.all())
                    .check(List.of(leaf), List.of(issuing.certificate()), expected, now))
        .isInstanceOf(IssuedCertificateCheck.Unacceptable.class);

    trust.learn(List.of(oldRoot.certificate(), newRoot.certificate(), newWithOld), now);
    assertThat(
            new IssuedCertificateCheck(trust.all())
                .check(List.of(leaf), List.of(issuing.certificate()), expected, now))
        .containsExactly(leaf, issuing.certificate());
  }
}
