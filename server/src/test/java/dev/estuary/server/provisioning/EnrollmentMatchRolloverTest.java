package dev.estuary.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.Certificates;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.KeyPolicy;
import dev.estuary.pki.Serials;
import dev.estuary.server.policy.Label;
import dev.estuary.server.policy.NamePolicy;
import dev.estuary.server.store.CaCertificateRecord;
import dev.estuary.server.store.EnrollmentRecord;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: an enrollment group that names one generation of an issuing CA this server rolled
 * admits certificates of its newer generations ({@link CaFamilies}); a CA that is no generation of
 * the named one still attests nothing.
 */
class EnrollmentMatchRolloverTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Instant NOW = Instant.now();
  private static final Serials SERIALS = new Serials(RANDOM);

  private final IssuingCa root = ca(null, "Root");
  private final IssuingCa gen1 = ca(root, "device-id CA");
  private final IssuingCa gen2 = ca(root, "device-id CA G2");
  private final IssuingCa gen3 = ca(root, "device-id CA G3");
  private final IssuingCa other = ca(root, "edge-ca CA");

  private static IssuingCa ca(IssuingCa parent, String cn) {
    var key = KeyPairs.generate("ec-p256", RANDOM);
    if (parent == null) {
      return IssuingCa.createRoot(
          cn, new X500Name("CN=" + cn), key, Duration.ofDays(30), NOW, SERIALS);
    }
    return parent.createSubordinate(
        cn, new X500Name("CN=" + cn), key, 0, Duration.ofDays(30), NOW, SERIALS);
  }

  private static X509Certificate device(IssuingCa ca) {
    return ca.sign(
        new IssueOrder(
            new X500Name("CN=device-1"),
            null,
            SubjectPublicKeyInfo.getInstance(
                KeyPairs.generate("ec-p256", RANDOM).getPublic().getEncoded()),
            CertificateProfile.clientIdentity(Duration.ofDays(1)),
            SERIALS.next(),
            NOW.minusSeconds(60),
            NOW.plus(Duration.ofDays(1))));
  }

  private Label label(
      IssuingCa current, List<X509Certificate> previous, List<X509Certificate> retired) {
    return new Label(
        "device-id",
        current,
        CertificateProfile.clientIdentity(Duration.ofDays(1)),
        KeyPolicy.parse(List.of("ec-p256")),
        List.of(),
        false,
        64,
        null,
        NamePolicy.DEFAULT,
        false,
        null,
        previous,
        retired,
        List.of());
  }

  private EnrollmentMatch.Attested decide(X509Certificate leaf, CaFamilies families)
      throws ProvisioningRefusal {
    CaCertificateRecord named =
        new CaCertificateRecord(
            "device-id-ca",
            Certificates.der(gen1.certificate()),
            "CN=device-id CA",
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
            "device-id-ca",
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
        "device-1",
        List.of(leaf),
        c -> null,
        null,
        List.of(group),
        Map.of("device-id-ca", named),
        families::generationsOf,
        NOW);
  }

  /** The group names generation 1 throughout. */
  @Test
  void aGroupNamingTheOldGenerationAdmitsTheNewOnesCertificates() throws Exception {
    CaFamilies families =
        CaFamilies.of(List.of(label(gen2, List.of(gen1.certificate()), List.of())));
    assertThat(decide(device(gen2), families).enrollment().id()).isEqualTo("group");
    assertThat(decide(device(gen1), families).enrollment().id()).isEqualTo("group");

    CaFamilies unrolled = CaFamilies.of(List.of(label(gen1, List.of(), List.of())));
    assertThatThrownBy(() -> decide(device(gen2), unrolled))
        .isInstanceOf(ProvisioningRefusal.class)
        .hasMessageContaining("leads to the CA certificate of no enrollment group");
    assertThatThrownBy(() -> decide(device(other), families))
        .isInstanceOf(ProvisioningRefusal.class);
  }

  @Test
  void aGroupNamingARetiredGenerationAdmitsTheLiveOnes() throws Exception {
    CaFamilies families =
        CaFamilies.of(
            List.of(label(gen3, List.of(gen2.certificate()), List.of(gen1.certificate()))));
    assertThat(decide(device(gen3), families).enrollment().id()).isEqualTo("group");
    assertThat(families.generationsOf(gen1.certificate()))
        .containsExactlyInAnyOrder(gen3.certificate(), gen2.certificate());
    assertThat(families.generationsOf(gen3.certificate()))
        .as("a retired generation is offered to nothing")
        .containsExactly(gen2.certificate());
  }
}
