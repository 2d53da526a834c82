package dev.estuary.pki;

import java.math.BigInteger;
import java.security.SecureRandom;

/** Random, positive, 20-byte certificate serial numbers (RFC 5280 §4.1.2.2, CA/B BR 7.1). */
public final class Serials {
  private final SecureRandom random;

  public Serials(SecureRandom random) {
    this.random = random;
  }

  /** 159 random bits: positive, at most 20 octets in DER, never zero. */
  public BigInteger next() {
    while (true) {
      byte[] bytes = new byte[20];
      random.nextBytes(bytes);
      bytes[0] &= 0x7f;
      BigInteger serial = new BigInteger(1, bytes);
      if (serial.bitLength() > 128) { // at least 17 octets; shorter draws (p = 2^-31) are retried
        return serial;
      }
    }
  }
}
