package dev.estuary.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
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
  void everySerialIsExactly159BitsLongEvenWhenTheRandomPartIsZero() {
    SecureRandom zeros =
        new SecureRandom() {
          @Override
          public void nextBytes(byte[] bytes) {
            Arrays.fill(bytes, (byte) 0);
          }
        };

    assertThat(new Serials(zeros, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)).next().bitLength())
        .isEqualTo(159);
    assertThat(new Serials(zeros).next().bitLength()).isEqualTo(159);
  }

  @Test
  void serialsOfALaterSecondSortAfterThoseOfAnEarlierOne() {
    Instant t = Instant.parse("2030-01-01T00:00:00Z");
    Serials earlier = new Serials(new SecureRandom(), Clock.fixed(t, ZoneOffset.UTC));
    Serials later = new Serials(new SecureRandom(), Clock.fixed(t.plusSeconds(1), ZoneOffset.UTC));

    for (int i = 0; i < 1_000; i++) {
      assertThat(later.next()).isGreaterThan(earlier.next());
    }
  }

  @Test
  void theLow118BitsAreTheRandomSourcesOutput() {
    SecureRandom ones =
        new SecureRandom() {
          @Override
          public void nextBytes(byte[] bytes) {
            Arrays.fill(bytes, (byte) 0xff);
          }
        };
    Instant t = Instant.parse("2030-01-01T00:00:00Z");

    BigInteger serial = new Serials(ones, Clock.fixed(t, ZoneOffset.UTC)).next();

    BigInteger lowMask = BigInteger.ONE.shiftLeft(118).subtract(BigInteger.ONE);
    assertThat(serial.and(lowMask)).isEqualTo(lowMask);
    assertThat(serial.shiftRight(118).longValueExact()).isEqualTo((1L << 40) | t.getEpochSecond());
  }

  @Test
  void serialsOfOneSecondAreDistinctAndUnordered() {
    Serials sameSecond =
        new Serials(
            new SecureRandom(), Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));
    List<BigInteger> drawn = new ArrayList<>();
    for (int i = 0; i < DRAWS; i++) {
      drawn.add(sameSecond.next());
    }

    assertThat(new HashSet<>(drawn)).hasSize(DRAWS);
    assertThat(drawn).as("not in issue order").isNotEqualTo(drawn.stream().sorted().toList());
  }
}
