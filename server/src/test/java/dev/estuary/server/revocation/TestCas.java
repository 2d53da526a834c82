package dev.estuary.server.revocation;

import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x500.X500Name;

/** Issuing CAs (under a root of their own) for the revocation unit tests. */
final class TestCas {
  static final SecureRandom RANDOM = new SecureRandom();
  static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

  private TestCas() {}

  static IssuingCa issuing(String cn) {
    Serials serials = new Serials(RANDOM);
    IssuingCa root =
        IssuingCa.createRoot(
            "root",
            new X500Name("CN=" + cn + " Root"),
            KeyPairs.generate("ec-p256", RANDOM),
            Duration.ofDays(3650),
            NOW.minus(Duration.ofDays(1)),
            serials);
    return root.createSubordinate(
        cn,
        new X500Name("CN=" + cn),
        KeyPairs.generate("ec-p256", RANDOM),
        0,
        Duration.ofDays(365),
        NOW.minus(Duration.ofDays(1)),
        serials);
  }
}
