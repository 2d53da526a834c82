package dev.estuary.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Integer;
import org.junit.jupiter.api.Test;

class SerialsTest {
  private static final int DRAWS = 10_000;
  private final Serials serials = new Serials(new SecureRandom());

  @Test
  void serialsArePositive() {
    for (int i = 0; i < DRAWS; i++) {
      assertThat(serials.next().signum()).isPositive();
    }
  }

  @Test
  void serialsTakeAtMostTwentyOctetsInDer() throws Exception {
    for (int i = 0; i < DRAWS; i++) {
      byte[] der = new ASN1Integer(serials.next()).getEncoded();
      int contentOctets = der.length - 2; // tag and one-byte length
      assertThat(contentOctets).isLessThanOrEqualTo(20);
    }
  }

  @Test
  void serialsHaveMoreThan128Bits() {
    for (int i = 0; i < DRAWS; i++) {
      assertThat(serials.next().bitLength()).isGreaterThan(128);
    }
  }

  @Test
  void serialsAreDistinctOverManyDraws() {
    Set<BigInteger> seen = new HashSet<>();
    for (int i = 0; i < DRAWS; i++) {
      seen.add(serials.next());
    }
    assertThat(seen).hasSize(DRAWS);
  }

  @Test
  void aDrawOf128BitsOrFewerIsRetried() {
    SecureRandom zerosFirst =
        new SecureRandom() {
          private boolean first = true;

          @Override
          public void nextBytes(byte[] bytes) {
            if (first) {
              first = false;
              java.util.Arrays.fill(bytes, (byte) 0);
              bytes[19] = 1; // the serial 1: positive, but far too short
            } else {
              java.util.Arrays.fill(bytes, (byte) 0xff);
            }
          }
        };

    BigInteger serial = new Serials(zerosFirst).next();

    assertThat(serial.bitLength()).isEqualTo(159);
  }
}
