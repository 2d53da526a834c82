package dev.estuary.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DSAParameter;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, point 3: the key limits (RSA size and exponent, named curves only, no DSA), checked on
 * the SubjectPublicKeyInfo before any signature is verified. The requests carry random signatures:
 * had the signature been checked first, the reason would be "proof of possession".
 */
class KeyLimitsTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  static SubjectPublicKeyInfo rsa(int bits, BigInteger exponent) throws Exception {
    BigInteger n = new BigInteger(bits, RANDOM).setBit(bits - 1).setBit(0);
    return new SubjectPublicKeyInfo(
        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
        new RSAPublicKey(n, exponent));
  }

  static byte[] request(SubjectPublicKeyInfo spki) throws Exception {
    byte[] sig = new byte[256];
    RANDOM.nextBytes(sig);
    CertificationRequestInfo info =
        new CertificationRequestInfo(new X500Name("CN=x"), spki, new DERSet());
    return new CertificationRequest(
            info,
            new AlgorithmIdentifier(
                PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE),
            new DERBitString(sig))
        .getEncoded("DER");
  }

  static final BigInteger F4 = BigInteger.valueOf(65537);

  @Test
  void rsaAbove4096IsRefusedByDefaultBeforeTheSignature() throws Exception {
    byte[] der = request(rsa(16384, new BigInteger(16384, RANDOM).setBit(16383).setBit(0)));
    assertThatThrownBy(() -> Csr.parse(der, KeyPolicy.DEFAULT))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("key RSA 16384 is not accepted")
        .hasMessageContaining("RSA 2048-4096")
        .hasMessageNotContaining("proof of possession");
  }

  @Test
  void rsa8192CanBeConfiguredButNotMore() throws Exception {
    KeyPolicy upTo8192 = KeyPolicy.parse(List.of("rsa-2048-8192"));
    assertThat(upTo8192.rsaMaxBits()).isEqualTo(8192);
    assertThat(upTo8192.check(rsa(8192, F4))).isEqualTo(new KeyDescription("RSA", "", 8192));
    assertThatThrownBy(() -> KeyPolicy.parse(List.of("rsa-2048-16384")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 8192");
    assertThatThrownBy(() -> upTo8192.check(rsa(8200, F4)))
        .hasMessageContaining("RSA 8200 is not accepted");
  }

  @Test
  void rsaDefaultsTo4096AtMost() throws Exception {
    assertThat(KeyPolicy.parse(List.of("rsa-2048")).rsaMaxBits()).isEqualTo(4096);
    assertThat(KeyPolicy.DEFAULT.check(rsa(4096, F4)).bits()).isEqualTo(4096);
    assertThatThrownBy(() -> KeyPolicy.DEFAULT.check(rsa(4097, F4)))
        .hasMessageContaining("RSA 4097 is not accepted");
  }

  @Test
  void anRsaExponentAbove2To32IsRefused() throws Exception {
    assertThatThrownBy(
            () ->
                KeyPolicy.DEFAULT.check(
                    rsa(2048, BigInteger.ONE.shiftLeft(32).add(BigInteger.ONE))))
        .hasMessageContaining("public exponent")
        .hasMessageContaining("at most 2^32");
    assertThatThrownBy(
            () ->
                KeyPolicy.DEFAULT.check(
                    rsa(2048, new BigInteger(16384, RANDOM).setBit(16383).setBit(0))))
        .hasMessageContaining("16384 bits");
  }

  @Test
  void anEvenOrTinyRsaExponentIsRefused() throws Exception {
    assertThatThrownBy(() -> KeyPolicy.DEFAULT.check(rsa(2048, BigInteger.valueOf(65536))))
        .hasMessageContaining("must be odd");
    assertThatThrownBy(() -> KeyPolicy.DEFAULT.check(rsa(2048, BigInteger.ONE)))
        .hasMessageContaining("at least 3");
  }

  @Test
  void rsaWithTheUsualExponentPasses() throws Exception {
    assertThat(KeyPolicy.DEFAULT.check(rsa(2048, F4))).hasToString("RSA 2048");
  }

  @Test
  void dsaIsRefusedWithoutReadingItsParameters() throws Exception {
    BigInteger p = new BigInteger(16384, RANDOM);
    SubjectPublicKeyInfo dsa =
        new SubjectPublicKeyInfo(
            new AlgorithmIdentifier(
                X9ObjectIdentifiers.id_dsa, new DSAParameter(p, BigInteger.TWO, BigInteger.TWO)),
            new ASN1Integer(p));
    assertThatThrownBy(() -> Csr.parse(request(dsa), KeyPolicy.DEFAULT))
        .hasMessageContaining("key DSA is not accepted");
  }

  @Test
  void anEcKeyWithoutParametersGetsAClearReasonNotAnInternalOne() throws Exception {
    byte[] point = new byte[65];
    point[0] = 4;
    SubjectPublicKeyInfo ec =
        new SubjectPublicKeyInfo(
            new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey), point);
    assertThatThrownBy(() -> Csr.parse(request(ec), KeyPolicy.DEFAULT))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("EC key in the request has no curve parameters")
        .hasMessageNotContaining("null");
    assertThatThrownBy(() -> Csr.parse(request(ec))).hasMessageContaining("no curve parameters");
  }

  @Test
  void aPolicyWhoseMinimumExceedsItsMaximumIsRefused() {
    assertThatThrownBy(() -> new KeyPolicy(Set.of(), 4096, 2048, false))
        .hasMessageContaining("larger than the largest");
  }
}
