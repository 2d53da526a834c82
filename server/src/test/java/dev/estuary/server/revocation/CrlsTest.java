package dev.estuary.server.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;

class CrlsTest {
  static final PublishedCa CA = PublishedCa.of(TestCas.issuing("Crl Test CA"));
  static final Instant THIS = TestCas.NOW;
  static final Instant NEXT = THIS.plus(Duration.ofDays(1));

  static X509CRL parse(byte[] der) throws Exception {
    return (X509CRL)
        CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
  }

  static ASN1Primitive ext(byte[] value) throws Exception {
    return ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(value).getOctets());
  }

  @Test
  void aCrlIsVersionTwoSignedByTheCaWithItsNumberKeyIdentifierAndTimes() throws Exception {
    X509CRL crl = parse(Crls.build(CA, BigInteger.valueOf(42), THIS, NEXT, List.of()));
    crl.verify(CA.ca().certificate().getPublicKey());
    assertThat(crl.getVersion()).isEqualTo(2);
    assertThat(crl.getIssuerX500Principal())
        .isEqualTo(CA.ca().certificate().getSubjectX500Principal());
    assertThat(crl.getThisUpdate().toInstant()).isEqualTo(THIS);
    assertThat(crl.getNextUpdate().toInstant()).isEqualTo(NEXT);
    assertThat(
            ASN1Integer.getInstance(ext(crl.getExtensionValue(Extension.cRLNumber.getId())))
                .getValue())
        .isEqualTo(BigInteger.valueOf(42));
    byte[] aki =
        AuthorityKeyIdentifier.getInstance(
                ext(crl.getExtensionValue(Extension.authorityKeyIdentifier.getId())))
            .getKeyIdentifierOctets();
    byte[] ski =
        ASN1OctetString.getInstance(
                ext(
                    CA.ca()
                        .certificate()
                        .getExtensionValue(Extension.subjectKeyIdentifier.getId())))
            .getOctets();
    assertThat(aki).isEqualTo(ski);
    assertThat(crl.getCriticalExtensionOIDs()).isNullOrEmpty();
    assertThat(crl.getRevokedCertificates()).isNullOrEmpty();
  }

  @Test
  void entriesCarryTheirReasonCodeExceptUnspecifiedAndTheInvalidityDateWhenKnown()
      throws Exception {
    Instant revoked = THIS.minus(Duration.ofHours(2));
    Instant invalid = THIS.minus(Duration.ofHours(5));
    X509CRL crl =
        parse(
            Crls.build(
                CA,
                BigInteger.TEN,
                THIS,
                NEXT,
                List.of(
                    new Crls.Entry(
                        BigInteger.valueOf(1001),
                        revoked,
                        RevocationReason.KEY_COMPROMISE,
                        invalid),
                    new Crls.Entry(
                        BigInteger.valueOf(1002), revoked, RevocationReason.UNSPECIFIED, null))));
    X509CRLEntry compromised = crl.getRevokedCertificate(BigInteger.valueOf(1001));
    assertThat(compromised.getRevocationDate().toInstant()).isEqualTo(revoked);
    assertThat(
            ASN1Enumerated.getInstance(
                    ext(compromised.getExtensionValue(Extension.reasonCode.getId())))
                .intValueExact())
        .isEqualTo(1);
    assertThat(
            ASN1GeneralizedTime.getInstance(
                    ext(compromised.getExtensionValue(Extension.invalidityDate.getId())))
                .getDate()
                .toInstant())
        .isEqualTo(invalid);
    X509CRLEntry plain = crl.getRevokedCertificate(BigInteger.valueOf(1002));
    assertThat(plain.getExtensionValue(Extension.reasonCode.getId()))
        .as("RFC 5280 5.3.1: no reasonCode for unspecified")
        .isNull();
    assertThat(plain.hasExtensions()).isFalse();
    assertThat(crl.getRevokedCertificate(BigInteger.valueOf(1003))).isNull();
  }

  @Test
  void nextUpdateMustComeAfterThisUpdate() {
    assertThatThrownBy(() -> Crls.build(CA, BigInteger.ONE, THIS, THIS, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
