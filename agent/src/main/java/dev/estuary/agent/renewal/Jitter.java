package dev.estuary.agent.renewal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;

/**
 * A fixed, per-credential shift of the renewal time, so that devices provisioned together (whose
 * certificates share a notBefore and a lifetime) do not all renew at the same moment.
 *
 * <p><b>Spread.</b> The renewal window is the span from the policy's renewal time to {@code
 * notAfter}. The shift is {@code fraction} of that window, earlier (negative) or later (positive).
 * {@link #forSeed(String)} draws the fraction uniformly from {@code [-0.25, +0.25)}: with the
 * default threshold of 80% the window is 20% of the lifetime, so a fleet's renewals spread evenly
 * over 75%–85% of the lifetime (±6 s around 96 s for a two-minute certificate, ±18 days for a
 * one-year one), and the latest renewer still has three quarters of its window (15% of the
 * lifetime, nearly four 4% retry periods) left for retries before its certificate expires.
 *
 * <p><b>Stable.</b> The fraction comes from a SHA-256 of the seed, not from a random generator: a
 * device keeps the same place in the fleet's spread across restarts and across renewals, and tests
 * can rely on it. The seed must be unique per device <em>and</em> per credential (for example
 * {@code registrationId + "/" + credentialId}): seeding with the credential id alone ({@code
 * "device-id"}) would give every device in the fleet the same shift.
 *
 * <p><b>Bounded.</b> The shifted time is never before {@code notBefore} and, as the shift is less
 * than the whole window, always before {@code notAfter}.
 *
 * @param fraction share of the renewal window to shift by; strictly between -1 and 1
 */
public record Jitter(double fraction) {

  /** Half the width of the range {@link #forSeed(String)} draws from, as a share of the window. */
  public static final double DEFAULT_SPREAD = 0.25;

  private static final Jitter NONE = new Jitter(0);

  public Jitter {
    if (!(fraction > -1 && fraction < 1)) {
      throw new IllegalArgumentException("jitter fraction must be in (-1, 1), was " + fraction);
    }
  }

  /** No shift: renew exactly when the policy says. */
  public static Jitter none() {
    return NONE;
  }

  /** A shift in {@code [-DEFAULT_SPREAD, +DEFAULT_SPREAD)} of the window, fixed by {@code seed}. */
  public static Jitter forSeed(String seed) {
    return forSeed(seed, DEFAULT_SPREAD);
  }

  /**
   * A shift in {@code [-spread, +spread)} of the window, fixed by {@code seed}.
   *
   * @param spread in {@code [0, 1)}
   */
  public static Jitter forSeed(String seed, double spread) {
    if (!(spread >= 0 && spread < 1)) {
      throw new IllegalArgumentException("jitter spread must be in [0, 1), was " + spread);
    }
    return new Jitter((2 * unitInterval(seed) - 1) * spread);
  }

  /**
   * Moves {@code renewAt} by this jitter's share of the window {@code [renewAt, notAfter]}, keeping
   * the result within {@code [notBefore, notAfter]}. Millisecond precision.
   */
  public Instant apply(Instant renewAt, Instant notBefore, Instant notAfter) {
    long windowMillis = Duration.between(renewAt, notAfter).toMillis();
    Instant shifted = renewAt.plusMillis(Math.round(fraction * windowMillis));
    if (shifted.isBefore(notBefore)) {
      return notBefore;
    }
    return shifted.isAfter(notAfter) ? notAfter : shifted;
  }

  /** A number in {@code [0, 1)} from the first 53 bits of SHA-256 of {@code seed}. */
  private static double unitInterval(String seed) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
    long bits = ByteBuffer.wrap(digest).getLong();
    return (bits >>> 11) * 0x1.0p-53;
  }
}
