package dev.estuary.pki;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * Positive, 20-octet certificate serial numbers (RFC 5280 §4.1.2.2) with 118 bits from a CSPRNG
 * (CA/B BR 7.1 asks for at least 64), led by the time of issue:
 *
 * <pre>
 *   bit 158         1 (every serial is exactly 159 bits long: 20 octets in DER)
 *   bits 157..118   the second of issue, since the epoch (40 bits, until the year 36812)
 *   bits 117..0     random
 * </pre>
 *
 * <p>Why a time prefix: serials are the unique key of the certificate store. Fully random ones land
 * anywhere in its B-tree, so every issuance touches a different index page, and an H2 store (whose
 * MVStore rewrites each touched page at every commit) slows down as it grows (docs/benchmarks.md,
 * target 4). Serials of the same second share a prefix and land in the tree's newest pages. Not
 * sequential: within a second their order is random, and the prefix says no more than the
 * certificate's notBefore already does.
 */
public final class Serials {
  /** Random bits below the time prefix. */
  static final int RANDOM_BITS = 118;

  /** Bits of the time prefix (whole seconds since the epoch). */
  static final int TIME_BITS = 40;

  private static final BigInteger TOP_BIT = BigInteger.ONE.shiftLeft(RANDOM_BITS + TIME_BITS);

  private final SecureRandom random;
  private final Clock clock;

  /** Serials stamped with the system clock. */
  public Serials(SecureRandom random) {
    this(random, Clock.systemUTC());
  }

  public Serials(SecureRandom random, Clock clock) {
    this.random = random;
    this.clock = clock;
  }

  /** A new serial: 159 bits, positive, at most 20 octets in DER, never zero. */
  public BigInteger next() {
    long seconds = Math.max(0, clock.instant().getEpochSecond()) & ((1L << TIME_BITS) - 1);
    byte[] bytes = new byte[(RANDOM_BITS + 7) / 8];
    random.nextBytes(bytes);
    BigInteger randomPart = new BigInteger(1, bytes).shiftRight(bytes.length * 8 - RANDOM_BITS);
    return TOP_BIT.or(BigInteger.valueOf(seconds).shiftLeft(RANDOM_BITS)).or(randomPart);
  }
}
