package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static dev.estuary.server.store.TestCertificates.cert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.testing.Reencoded;
import dev.estuary.server.testing.TestPki;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class JdbiCertificateStoreTest extends BackendTestCase {

  private CertificateStore store;

  @BeforeEach
  void createStore() {
    store = new JdbiCertificateStore(db.jdbi());
  }

  @Test
  void recordedCertificateIsFoundBySerialWithEveryField() {
    CertificateRecord cert = cert(1001);

    store.record(cert, null);

    assertThat(store.findBySerial(cert.serial())).get().usingRecursiveComparison().isEqualTo(cert);
    assertThat(store.findBySerial(BigInteger.valueOf(1002))).as("other serial").isEmpty();
  }

  @Test
  void recordedCertificateIsFoundBySerialUpToTwentyOctets() {
    // The largest serial RFC 5280 allows: 20 octets, positive.
    BigInteger largest = BigInteger.TWO.pow(159).subtract(BigInteger.ONE);
    CertificateRecord big = cert(largest, "CN=big", T0);
    CertificateRecord small = cert(7);

    store.record(big, null);
    store.record(small, null);

    assertThat(store.findBySerial(largest)).get().usingRecursiveComparison().isEqualTo(big);
    assertThat(store.findBySerial(BigInteger.valueOf(7)))
        .get()
        .usingRecursiveComparison()
        .isEqualTo(small);
    assertThat(store.findBySerial(BigInteger.valueOf(8))).isEmpty();
  }

  @Test
  void findBySubjectReturnsThatSubjectNewestFirstUpToTheLimit() {
    for (int i = 0; i < 4; i++) {
      store.record(
          cert(BigInteger.valueOf(100 + i), "CN=pump-7", T0.plus(Duration.ofHours(i))), null);
    }
    store.record(cert(BigInteger.valueOf(200), "CN=pump-8", T0.plus(Duration.ofDays(1))), null);

    List<CertificateRecord> found = store.findBySubject("CN=pump-7", 3);

    assertThat(found)
        .extracting(CertificateRecord::serial)
        .containsExactly(BigInteger.valueOf(103), BigInteger.valueOf(102), BigInteger.valueOf(101));
    assertThat(store.findBySubject("CN=pump-7", 10)).hasSize(4);
    assertThat(store.findBySubject("CN=pump-7", 0)).isEmpty();
    assertThat(store.findBySubject("CN=nobody", 10)).isEmpty();
  }

  @Test
  void duplicateSerialIsRefusedAndNothingIsRecorded() {
    CertificateRecord first = cert(42);
    CertificateRecord second = cert(BigInteger.valueOf(42), "CN=other", T0.plusSeconds(1));
    store.record(first, null);

    assertThatThrownBy(() -> store.record(second, null))
        .isInstanceOf(DuplicateSerialException.class);

    assertThat(store.count()).isEqualTo(1);
    assertThat(store.findBySerial(BigInteger.valueOf(42)))
        .get()
        .extracting(CertificateRecord::sha256)
        .isEqualTo(first.sha256());
  }

  /** A real certificate from {@code ca}, as the issuance service records it. */
  private static CertificateRecord issued(IssuingCa ca, X509Certificate c) throws Exception {
    return new CertificateRecord(
        c.getSerialNumber(),
        c.getSubjectX500Principal().getName(),
        c.getIssuerX500Principal().getName(),
        c.getNotBefore().toInstant(),
        c.getNotAfter().toInstant(),
        "sensors",
        "EC P-256",
        Thumbprints.sha256(c),
        "mtls",
        "requester",
        T0,
        c.getEncoded(),
        null,
        null,
        "x509:p");
  }

  private static IssuingCa ca(String cn) {
    return IssuingCa.createRoot(
        cn,
        new X500Name("CN=" + cn),
        KeyPairs.generate("ec-p256", new SecureRandom()),
        Duration.ofDays(30),
        Instant.now().minus(Duration.ofDays(1)),
        new Serials(new SecureRandom()));
  }

  private static X509Certificate leaf(IssuingCa ca, BigInteger serial) {
    Instant now = Instant.now();
    return ca.sign(
        new IssueOrder(
            new X500Name("CN=device"),
            null,
            SubjectPublicKeyInfo.getInstance(TestPki.key("ec-p256").getPublic().getEncoded()),
            CertificateProfile.clientIdentity(Duration.ofDays(1)),
            serial,
            now.minusSeconds(60),
            now.plus(Duration.ofDays(1))));
  }

  @Test
  void aPresentedCertificateIsFoundByIssuerAndSerialAndComparedByItsTbs() throws Exception {
    IssuingCa ours = ca("Ours");
    X509Certificate mine = leaf(ours, BigInteger.valueOf(777));
    store.record(issued(ours, mine), null);

    X509Certificate copy = Reencoded.signature(mine, ours.certificate().getPublicKey());
    X509Certificate foreign = leaf(ca("Stranger"), BigInteger.valueOf(777));

    assertThat(store.findIssued(mine))
        .get()
        .extracting(CertificateRecord::serial)
        .isEqualTo(BigInteger.valueOf(777));
    assertThat(Thumbprints.sha256(copy)).as("other bytes").isNotEqualTo(Thumbprints.sha256(mine));
    assertThat(store.findIssued(copy))
        .as("a re-encoded signature is still our certificate")
        .isPresent();
    assertThat(store.findIssued(foreign)).as("same serial, another issuer").isEmpty();
  }

  @Test
  void recordingTheSameCertificateTwiceIsADuplicateSerial() {
    CertificateRecord cert = cert(43);
    store.record(cert, null);

    assertThatThrownBy(() -> store.record(cert, null)).isInstanceOf(DuplicateSerialException.class);

    assertThat(store.count()).isEqualTo(1);
  }

  @Test
  void revokeMarksAKnownCertificateRevoked() {
    CertificateRecord cert = cert(50);
    store.record(cert, null);
    Instant at = T0.plus(Duration.ofDays(3));

    assertThat(store.revoke(cert.serial(), "keyCompromise", at)).isTrue();

    CertificateRecord found = store.findBySerial(cert.serial()).orElseThrow();
    assertThat(found.revoked()).isTrue();
    assertThat(found.revokedAt()).isEqualTo(at);
    assertThat(found.revocationReason()).isEqualTo("keyCompromise");
  }

  @Test
  void revokeOfAnUnknownSerialReturnsFalse() {
    store.record(cert(51), null);

    assertThat(store.revoke(BigInteger.valueOf(52), "superseded", T0)).isFalse();

    assertThat(store.findBySerial(BigInteger.valueOf(51)).orElseThrow().revoked()).isFalse();
  }

  @Test
  void revokingAgainReturnsTrueAndKeepsTheFirstRevocation() {
    CertificateRecord cert = cert(53);
    store.record(cert, null);
    store.revoke(cert.serial(), "superseded", T0.plusSeconds(10));

    assertThat(store.revoke(cert.serial(), "keyCompromise", T0.plusSeconds(20))).isTrue();

    CertificateRecord found = store.findBySerial(cert.serial()).orElseThrow();
    assertThat(found.revokedAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(found.revocationReason()).isEqualTo("superseded");
  }

  @Test
  void countCountsRecordedCertificates() {
    assertThat(store.count()).isZero();

    store.record(cert(60), null);
    store.record(cert(61), null);
    store.record(cert(62), null);

    assertThat(store.count()).isEqualTo(3);
  }

  @Test
  void instantsAreKeptToTheMicrosecond() {
    Instant issuedAt = Instant.parse("2031-06-30T23:59:59.123456789Z");
    CertificateRecord cert = cert(BigInteger.valueOf(70), "CN=precise", issuedAt);

    store.record(cert, null);

    assertThat(store.findBySerial(cert.serial()).orElseThrow().issuedAt())
        .isEqualTo(Instant.parse("2031-06-30T23:59:59.123456Z"));
  }
}
