package dev.estuary.server.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.Csr;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPolicy;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.Serials;
import dev.estuary.pki.SignatureEngine;
import dev.estuary.server.testing.TestPki;
import java.io.IOException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code [keys] signatures}: Conscrypt verifies ECDSA and RSA proofs of possession and signs with
 * software CA keys of those kinds, Bouncy Castle does the rest; both accept and refuse the same
 * requests.
 */
class SignatureEnginesTest {
  private static final KeyPolicy ANY = new KeyPolicy(Set.of("P-256", "P-384", "P-521"), 2048, true);
  private static final Instant NOW = Instant.parse("2026-12-07T00:00:00Z");

  private static SignatureEngine conscrypt() {
    assumeTrue(NativeCrypto.available(), "Conscrypt's native library loads on this machine");
    return SignatureEngines.of("conscrypt");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ec-p256", "ec-p384", "ec-p521", "rsa-2048"})
  void conscryptVerifiesTheProofOfPossessionOfEcdsaAndRsaRequests(String type) throws Exception {
    SignatureEngine engine = conscrypt();
    KeyPair key = TestPki.key(type);

    Csr csr = Csr.parse(TestPki.csr(key, "CN=device-1"), ANY, engine);

    assertThat(csr.commonName()).isEqualTo("device-1");
    String algorithm = IssuingCa.signatureAlgorithm(key.getPublic());
    assertThat(engine.verifier(algorithm, csr.publicKeyInfo()).getProvider().getName())
        .isEqualTo("Conscrypt");
  }

  @Test
  void anEd25519RequestIsVerifiedByBouncyCastleUnderConscrypt() throws Exception {
    SignatureEngine engine = conscrypt();
    KeyPair key = TestPki.key("ed25519");

    Csr csr = Csr.parse(TestPki.csr(key, "CN=device-ed"), ANY, engine);

    assertThat(engine.verifier("Ed25519", csr.publicKeyInfo()).getProvider().getName())
        .isEqualTo("BC");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ec-p256", "rsa-2048"})
  void aRequestSignedByAnotherKeyIsRefusedByBothEnginesAlike(String type) {
    SignatureEngine engine = conscrypt();
    byte[] der = TestPki.csr(TestPki.key(type), "CN=device-1");
    byte[] forged = swapKey(der, TestPki.key(type));

    for (SignatureEngine e : new SignatureEngine[] {engine, SignatureEngine.BOUNCY_CASTLE}) {
      assertThatThrownBy(() -> Csr.parse(forged, ANY, e))
          .as(e.name())
          .isInstanceOf(PkiException.class)
          .hasMessageContaining("proof of possession failed");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ec-p256", "ec-p384", "rsa-2048"})
  void aSoftwareCaKeySignsWithConscryptAndWhatItSignsVerifies(String type) throws Exception {
    SignatureEngine engine = conscrypt();
    IssuingCa made = root(type);

    IssuingCa ca = engine.issuingCa("ca", made.chain(), made.key());
    X509Certificate issued = ca.issue(order()).x509();

    assertThat(ca.signerProvider().getName()).isEqualTo("Conscrypt");
    issued.verify(ca.certificate().getPublicKey()); // throws if the signature is wrong
    assertThat(issued.getSigAlgName()).isEqualTo(made.certificate().getSigAlgName());
  }

  @Test
  void anEd25519CaKeySignsWithBouncyCastleUnderConscrypt() throws Exception {
    SignatureEngine engine = conscrypt();
    IssuingCa made = root("ed25519");

    IssuingCa ca = engine.issuingCa("ca", made.chain(), made.key());

    assertThat(ca.signerProvider()).isNull(); // Bouncy Castle
    ca.issue(order()).x509().verify(ca.certificate().getPublicKey());
  }

  @Test
  void bouncyCastleIsTheEngineByNameAndAutoIsConscryptWhereItLoads() {
    assertThat(SignatureEngines.of("bouncycastle")).isSameAs(SignatureEngine.BOUNCY_CASTLE);
    assertThat(SignatureEngines.of("auto").name())
        .isEqualTo(NativeCrypto.available() ? "conscrypt" : "bouncycastle");
  }

  @Test
  void anUnknownNameIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> SignatureEngines.of("openssl"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'openssl'")
        .hasMessageContaining("auto, bouncycastle, conscrypt");
  }

  @Test
  void aProviderWithoutRsaCannotBePreferred() {
    assertThatThrownBy(() -> SignatureEngine.preferring("sunec", Security.getProvider("SunEC")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SunEC has no SHA");
  }

  private static IssuingCa root(String type) {
    return IssuingCa.createRoot(
        "root",
        new X500Name("CN=Test Root " + type),
        TestPki.key(type),
        Duration.ofDays(30),
        NOW,
        new Serials(new SecureRandom()));
  }

  private static IssueOrder order() {
    return new IssueOrder(
        new X500Name("CN=device-1"),
        null,
        SubjectPublicKeyInfo.getInstance(TestPki.key("ec-p256").getPublic().getEncoded()),
        CertificateProfile.clientIdentity(Duration.ofDays(1)),
        new Serials(new SecureRandom()).next(),
        NOW.minusSeconds(60),
        NOW.plus(Duration.ofDays(1)));
  }

  /** The CSR with its public key replaced by {@code other}'s: the signature no longer fits. */
  private static byte[] swapKey(byte[] der, KeyPair other) {
    var req = CertificationRequest.getInstance(der);
    var info = req.getCertificationRequestInfo();
    var forged =
        new CertificationRequestInfo(
            info.getSubject(),
            SubjectPublicKeyInfo.getInstance(other.getPublic().getEncoded()),
            info.getAttributes());
    try {
      return new CertificationRequest(forged, req.getSignatureAlgorithm(), req.getSignature())
          .getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
