package dev.estuary.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERGeneralizedTime;
import org.bouncycastle.asn1.DERUTCTime;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CertificateTimeTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1950-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "1999-02-28T07:08:09Z",
        "2026-12-07T13:14:15.678Z",
        "2049-12-31T23:59:59.999Z",
        "2050-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "1949-12-31T23:59:59Z",
        "1600-03-01T00:00:00Z"
      })
  void encodesAsBouncyCastlesDateConstructorAndReadsBackTheWholeSecond(String text)
      throws Exception {
    Instant t = Instant.parse(text);
    Time ours = CertificateTime.of(t);
    Time theirs = new Time(Date.from(t));

    assertThat(ours.toASN1Primitive().getEncoded(ASN1Encoding.DER))
        .isEqualTo(theirs.toASN1Primitive().getEncoded(ASN1Encoding.DER));
    assertThat(CertificateTime.instant(ours)).isEqualTo(t.truncatedTo(ChronoUnit.SECONDS));
    assertThat(CertificateTime.instant(ours))
        .isEqualTo(theirs.getDate().toInstant().truncatedTo(ChronoUnit.SECONDS));
  }

  @Test
  void utcTimeYearsBelowFiftyAreThisCentury() {
    assertThat(CertificateTime.instant(new Time(new DERUTCTime("491231235959Z"))))
        .isEqualTo(Instant.parse("2049-12-31T23:59:59Z"));
    assertThat(CertificateTime.instant(new Time(new DERUTCTime("500101000000Z"))))
        .isEqualTo(Instant.parse("1950-01-01T00:00:00Z"));
  }

  @Test
  void formsOutsideRfc5280AreReadAsBouncyCastleReadsThem() {
    Time fraction = new Time(new DERGeneralizedTime("20260101120000.5Z"));
    Time offset = new Time(new DERUTCTime("2601011200+0100"));

    assertThat(CertificateTime.instant(fraction)).isEqualTo(fraction.getDate().toInstant());
    assertThat(CertificateTime.instant(fraction))
        .isEqualTo(Instant.parse("2026-01-01T12:00:00.500Z"));
    assertThat(CertificateTime.instant(offset)).isEqualTo(offset.getDate().toInstant());
    assertThat(CertificateTime.instant(offset)).isEqualTo(Instant.parse("2026-01-01T11:00:00Z"));
  }

  @Test
  void refusesAYearACertificateCannotHold() {
    assertThatThrownBy(() -> CertificateTime.of(Instant.parse("+10000-01-01T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("years 0 to 9999");
  }
}
