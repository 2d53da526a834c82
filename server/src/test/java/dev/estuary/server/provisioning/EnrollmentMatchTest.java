package dev.estuary.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.Certificates;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.store.CaCertificateRecord;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.EnrollmentRecord;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, point 1 on the DPS path: a chain through a CA certificate this server issued to a
 * device (an Edge CA) attests nothing, and no certificate of the path this server issued may be
 * revoked. No server: the decision is pure.
 */
class EnrollmentMatchTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Instant NOW = Instant.now();

  private static IssuingCa groupCa;
  private static X509Certificate edgeCa;
  private static X509Certificate direct;
  private static X509Certificate viaEdgeCa;

  @BeforeAll
  static void pki() {
    Serials serials = new Serials(RANDOM);
    groupCa =
        IssuingCa.createRoot(
            "group",
            new X500Name("CN=Group CA"),
            KeyPairs.generate("ec-p256", RANDOM),
            Duration.ofDays(30),
            NOW.minus(Duration.ofDays(1)),
            serials);
    KeyPair edgeKey = KeyPairs.generate("ec-p256", RANDOM);
    edgeCa =
        sign(
            groupCa,
            "CN=edge-of-some-device",
            edgeKey,
            CertificateProfile.edgeCa(Duration.ofDays(7)));
    direct =
        sign(
            groupCa,
            "CN=device-1",
            KeyPairs.generate("ec-p256", RANDOM),
            CertificateProfile.clientIdentity(Duration.ofDays(7)));
    IssuingCa minter = new IssuingCa("edge", List.of(edgeCa), edgeKey.getPrivate(), null);
    viaEdgeCa =
        sign(
            minter,
            "CN=device-1",
            KeyPairs.generate("ec-p256", RANDOM),
            CertificateProfile.clientIdentity(Duration.ofDays(1)));
  }

  private static X509Certificate sign(
      IssuingCa ca, String subject, KeyPair key, CertificateProfile profile) {
    return ca.sign(
        new IssueOrder(
            new X500Name(subject),
            null,
            SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
            profile,
            new Serials(RANDOM).next(),
            NOW.minusSeconds(60),
            NOW.plus(Duration.ofDays(1))));
  }

  private static CertificateRecord record(X509Certificate c, Instant revokedAt) {
    return new CertificateRecord(
        c.getSerialNumber(),
        c.getSubjectX500Principal().getName(),
        c.getIssuerX500Principal().getName(),
        c.getNotBefore().toInstant(),
        c.getNotAfter().toInstant(),
        "edge-ca",
        "EC P-256",
        Thumbprints.sha256(c),
        "mtls",
        "r",
        NOW,
        Certificates.der(c),
        revokedAt,
        revokedAt == null ? null : "keyCompromise",
        "x509:p");
  }

  private static EnrollmentMatch.Attested decide(
      List<X509Certificate> chain, Function<X509Certificate, CertificateRecord> issuedHere)
      throws ProvisioningRefusal {
    CaCertificateRecord ca =
        new CaCertificateRecord(
            "group-ca",
            Certificates.der(groupCa.certificate()),
            "CN=Group CA",
            "s",
            true,
            null,
            "e",
            NOW,
            NOW);
    EnrollmentRecord group =
        new EnrollmentRecord(
            EnrollmentRecord.Kind.GROUP,
            "group",
            "group-ca",
            null,
            true,
            true,
            EnrollmentRecord.Allocation.HASHED,
            List.of(),
            null,
            true,
            true,
            null,
            "e",
            NOW,
            NOW);
    return EnrollmentMatch.decide(
        "device-1", chain, issuedHere, null, List.of(group), Map.of("group-ca", ca), NOW);
  }

  @Test
  void aLeafSignedByTheGroupsCaIsAdmitted() throws Exception {
    assertThat(decide(List.of(direct), c -> null).enrollment().id()).isEqualTo("group");
  }

  @Test
  void aChainThroughACaCertificateThisServerIssuedToADeviceIsRefused() throws Exception {
    assertThat(decide(List.of(viaEdgeCa, edgeCa), c -> null).chain())
        .as("control: PKIX alone accepts the path when the Edge CA is not known as ours")
        .containsExactly(viaEdgeCa, edgeCa);

    assertThatThrownBy(
            () ->
                decide(
                    List.of(viaEdgeCa, edgeCa),
                    c -> c.equals(edgeCa) ? record(edgeCa, null) : null))
        .isInstanceOfSatisfying(
            ProvisioningRefusal.class, r -> assertThat(r.error()).isEqualTo(ErrorCode.UNAUTHORIZED))
        .hasMessageContaining("a CA certificate this server issued to a device")
        .hasMessageContaining("edge-of-some-device");
  }

  @Test
  void aRevokedCertificateAnywhereInThePathIsRefused() throws Exception {
    Instant revoked = NOW.minusSeconds(5);
    assertThatThrownBy(() -> decide(List.of(direct), c -> record(c, revoked)))
        .isInstanceOfSatisfying(
            ProvisioningRefusal.class, r -> assertThat(r.error()).isEqualTo(ErrorCode.UNAUTHORIZED))
        .hasMessageContaining("was revoked");
    assertThatThrownBy(
            () ->
                decide(
                    List.of(viaEdgeCa, edgeCa),
                    c -> c.equals(edgeCa) ? record(edgeCa, revoked) : null))
        .isInstanceOfSatisfying(
            ProvisioningRefusal.class, r -> assertThat(r.error()).isEqualTo(ErrorCode.UNAUTHORIZED))
        .hasMessageContaining("was revoked");
  }
}
