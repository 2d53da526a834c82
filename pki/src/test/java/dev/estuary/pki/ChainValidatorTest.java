package dev.estuary.pki;

import static dev.estuary.pki.TestMaterial.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChainValidatorTest {
  private static final Instant AT = T0.plus(Duration.ofHours(1));

  private static X509Certificate root;
  private static X509Certificate intermediate;
  private static X509Certificate leaf;
  private static X509Certificate serverLeaf;
  private static X509Certificate strangerRoot;
  private static X509Certificate strangerLeaf;

  @BeforeAll
  static void hierarchies() {
    IssuingCa rootCa = TestMaterial.root("Validator Root");
    IssuingCa intCa = TestMaterial.intermediate(rootCa, "Validator Issuing");
    root = rootCa.certificate();
    intermediate = intCa.certificate();
    leaf =
        TestMaterial.leaf(
            intCa, "CN=device-1", CertificateProfile.clientIdentity(Duration.ofDays(7)), null);
    serverLeaf =
        TestMaterial.leaf(
            intCa, "CN=server-1", CertificateProfile.tlsServer(Duration.ofDays(7)), null);
    IssuingCa stranger = TestMaterial.root("Stranger Root");
    strangerRoot = stranger.certificate();
    strangerLeaf =
        TestMaterial.leaf(
            stranger, "CN=device-1", CertificateProfile.clientIdentity(Duration.ofDays(7)), null);
  }

  private static ChainValidator trusting(X509Certificate... anchors) {
    return new ChainValidator(List.of(anchors));
  }

  @Test
  void acceptsALeafAloneWhenTheAnchorIsItsIssuingCa() throws Exception {
    assertThat(trusting(intermediate).validateClient(List.of(leaf), AT)).isEqualTo(intermediate);
  }

  @Test
  void acceptsALeafWithItsIntermediateWhenTheAnchorIsTheRoot() throws Exception {
    assertThat(trusting(root).validateClient(List.of(leaf, intermediate), AT)).isEqualTo(root);
  }

  @Test
  void acceptsAChainThatIncludesTheRoot() throws Exception {
    assertThat(trusting(root).validateClient(List.of(leaf, intermediate, root), AT))
        .isEqualTo(root);
  }

  @Test
  void acceptsOddOrdersAndDuplicates() throws Exception {
    ChainValidator validator = trusting(root);

    assertThat(validator.validateClient(List.of(leaf, intermediate, root, intermediate), AT))
        .isEqualTo(root);
    assertThat(validator.validateClient(List.of(leaf, root, intermediate), AT)).isEqualTo(root);
  }

  @Test
  void acceptsWhenTheIntermediateIsTrustedAndTheRootIsSentToo() throws Exception {
    assertThat(trusting(intermediate).validateClient(List.of(leaf, intermediate, root), AT))
        .isEqualTo(intermediate);
  }

  @Test
  void refusesAChainFromAnUnknownCa() {
    assertThatThrownBy(() -> trusting(root).validateClient(List.of(strangerLeaf, strangerRoot), AT))
        .isInstanceOf(ChainValidator.Untrusted.class)
        .hasMessageContaining("not issued by a CA trusted here");
  }

  @Test
  void refusesALeafWhoseIntermediateIsMissing() {
    assertThatThrownBy(() -> trusting(root).validateClient(List.of(leaf), AT))
        .isInstanceOf(ChainValidator.Untrusted.class)
        .hasMessageContaining("not issued by a CA trusted here")
        .hasMessageContaining("Validator Issuing");
  }

  @Test
  void refusesAnExpiredLeafSayingSo() {
    Instant afterExpiry = leaf.getNotAfter().toInstant().plusSeconds(1);

    assertThatThrownBy(
            () -> trusting(root).validateClient(List.of(leaf, intermediate), afterExpiry))
        .isInstanceOf(PkiException.class)
        .isNotInstanceOf(ChainValidator.Untrusted.class)
        .hasMessageContaining("expired");
  }

  @Test
  void refusesALeafThatIsNotYetValid() {
    Instant beforeStart = leaf.getNotBefore().toInstant().minusSeconds(1);

    assertThatThrownBy(
            () -> trusting(root).validateClient(List.of(leaf, intermediate), beforeStart))
        .isInstanceOf(PkiException.class)
        .isNotInstanceOf(ChainValidator.Untrusted.class)
        .hasMessageContaining("not valid before");
  }

  @Test
  void refusesALeafWithoutClientAuthEku() {
    assertThatThrownBy(() -> trusting(root).validateClient(List.of(serverLeaf, intermediate), AT))
        .isInstanceOf(PkiException.class)
        .isNotInstanceOf(ChainValidator.Untrusted.class)
        .hasMessageContaining("no clientAuth EKU");
  }

  @Test
  void refusesAnAnchorPresentedAsTheLeaf() {
    assertThatThrownBy(() -> trusting(root).validateClient(List.of(root), AT))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("itself a trust anchor");
  }

  @Test
  void refusesACaCertificatePresentedAsAClientIdentity() {
    IssuingCa issuing = TestMaterial.intermediate(TestMaterial.root("Edge Root"), "Edge Issuing");
    X509Certificate edgeCa =
        TestMaterial.leaf(
            issuing, "CN=aziot-edge CA dev", CertificateProfile.edgeCa(Duration.ofDays(7)), null);

    assertThatThrownBy(() -> trusting(issuing.certificate()).validateClient(List.of(edgeCa), AT))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("is a CA certificate");
  }

  @Test
  void refusesAnEmptyPresentation() {
    assertThatThrownBy(() -> trusting(root).validateClient(List.of(), AT))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("no client certificate");
  }

  @Test
  void refusesEverythingWhenNothingIsTrusted() {
    assertThatThrownBy(() -> trusting().validateClient(List.of(leaf, intermediate), AT))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("trusts no client certificate CA");
  }

  @Test
  void refusesALeafFromAnImpostorCaWithTheTrustedCasName() {
    IssuingCa impostor = TestMaterial.root("Validator Root"); // same DN, different key
    X509Certificate forged =
        TestMaterial.leaf(
            impostor, "CN=device-1", CertificateProfile.clientIdentity(Duration.ofDays(7)), null);

    assertThatThrownBy(() -> trusting(root).validateClient(List.of(forged), AT))
        .isInstanceOf(ChainValidator.Untrusted.class);
  }

  @Test
  void namesTheClientCertificateInItsReasons() {
    assertThatThrownBy(() -> trusting(root).validateClient(List.of(serverLeaf, intermediate), AT))
        .hasMessageStartingWith("client certificate 'CN=server-1'");
  }

  @Test
  void directValidationAcceptsALeafSignedByAnAnchor() throws Exception {
    ChainValidator.Validated v =
        trusting(intermediate, root).validateDirect(List.of(leaf, intermediate, root), AT);

    assertThat(v.anchor()).isEqualTo(intermediate);
    assertThat(v.path()).containsExactly(leaf);
  }

  @Test
  void directValidationRefusesALeafBehindAnIntermediateEvenWhenTheRootIsTrusted() {
    // The shape of a leaf minted with a device's Edge CA: leaf -> Edge CA -> trusted CA.
    assertThatThrownBy(() -> trusting(root).validateDirect(List.of(leaf, intermediate), AT))
        .isInstanceOf(ChainValidator.Untrusted.class)
        .hasMessageContaining("signed directly by one of the label's issuers")
        .hasMessageContaining("Validator Issuing");
  }

  @Test
  void directValidationRefusesAnImpostorIssuerWithTheAnchorsName() {
    IssuingCa impostor = TestMaterial.root("Validator Issuing");
    X509Certificate forged =
        TestMaterial.leaf(
            impostor, "CN=device-1", CertificateProfile.clientIdentity(Duration.ofDays(7)), null);

    assertThatThrownBy(() -> trusting(intermediate).validateDirect(List.of(forged), AT))
        .isInstanceOf(ChainValidator.Untrusted.class);
  }

  @Test
  void theValidatedPathNamesEveryCertificateBelowTheAnchor() throws Exception {
    assertThat(trusting(root).validate(List.of(leaf, root, intermediate), AT).path())
        .containsExactly(leaf, intermediate);
  }
}
