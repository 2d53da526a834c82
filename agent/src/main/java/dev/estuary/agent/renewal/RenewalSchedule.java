package dev.estuary.agent.renewal;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The timing rules for one credential: when to renew it and when to try again after a failure.
 * Pure: every method takes the current time as an argument.
 *
 * <p>The rules, in order of the credential's life:
 *
 * <ol>
 *   <li>No certificate yet, or an expired one: try now.
 *   <li>A valid certificate: try at its {@linkplain #renewalTime renewal time}, the policy's
 *       threshold moved by the jitter.
 *   <li>After a failure while the certificate is valid: wait the policy's retry period, or the
 *       server's {@code Retry-After} if that is longer; but never more than half the time the
 *       certificate has left (at least {@link RenewalPolicy#MIN_RETRY_PERIOD}), so a long {@code
 *       Retry-After} or retry setting near the end leaves several attempts instead of one, closer
 *       and closer to {@code notAfter}; and never past it: if the wait would cross it, the next
 *       attempt is the <em>last chance</em>, early enough to finish before {@code notAfter}: twice
 *       the time an attempt takes here before it (the longer of the credential's latest successful
 *       and latest failed attempt: a slow link or a loaded server moves it earlier), and at least
 *       {@link #LAST_CHANCE_MARGIN}.
 *   <li>After a failure with no valid certificate (none yet, or expired): the device is without
 *       this identity, so the wait is the retry period capped at {@link
 *       #RETRY_CEILING_WITHOUT_VALID_CERTIFICATE} (a 4% retry of a one-year certificate would
 *       otherwise be two weeks), and shorter after the first failures: {@link
 *       RenewalPolicy#MIN_RETRY_PERIOD} doubled with each consecutive failure (1, 2, 4, 8 … s)
 *       until it reaches that, so a blip at a device's first start costs it a second, not a minute,
 *       and a long outage is still retried once a minute; or {@code Retry-After} if the server
 *       asked for longer. It never gives up.
 *   <li>After a success: the new certificate's renewal time; if that is already past (a server
 *       issuing certificates shorter than the threshold allows, or a skewed clock), one retry
 *       period from now instead of at once, so a misconfiguration cannot become a tight loop.
 * </ol>
 *
 * @param policy threshold and retry
 * @param jitter this credential's shift of the renewal time
 */
public record RenewalSchedule(RenewalPolicy policy, Jitter jitter) {

  /** Longest wait between attempts while the credential has no valid certificate. */
  public static final Duration RETRY_CEILING_WITHOUT_VALID_CERTIFICATE = Duration.ofMinutes(1);

  /**
   * The least time before {@code notAfter} of the last attempt with a still-valid certificate (more
   * when attempts take longer: twice their duration).
   */
  public static final Duration LAST_CHANCE_MARGIN = Duration.ofSeconds(1);

  public RenewalSchedule {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(jitter, "jitter");
  }

  /** When {@code certificate} is due for renewal: the policy's threshold, moved by the jitter. */
  public Instant renewalTime(CertificateInfo certificate) {
    return jitter.apply(
        policy.renewAt(certificate), certificate.notBefore(), certificate.notAfter());
  }

  /** The first attempt for a credential found holding {@code current} at {@code now}. */
  public Instant firstAttempt(Optional<CertificateInfo> current, Instant now) {
    return current.map(this::renewalTime).filter(now::isBefore).orElse(now);
  }

  /** The next attempt after {@code renewed} was obtained at {@code now}. */
  public Instant afterSuccess(CertificateInfo renewed, Instant now) {
    Instant at = renewalTime(renewed);
    return at.isAfter(now) ? at : now.plus(policy.retryPeriod(renewed));
  }

  /**
   * The next attempt after one failed at {@code now}, while {@code current} (if any) was in force.
   *
   * @param retryAfter the server's {@code Retry-After}, if any
   * @param failures consecutive failures, this one included (at least 1)
   * @param attemptTakes how long an attempt takes here (zero when not known yet)
   */
  public Instant afterFailure(
      Optional<CertificateInfo> current,
      Optional<Duration> retryAfter,
      Instant now,
      int failures,
      Duration attemptTakes) {
    Optional<CertificateInfo> valid = current.filter(c -> !c.isExpiredAt(now));
    Duration wait =
        valid.isPresent()
            ? policy.retryPeriod(valid.get())
            : shorterOf(retryWithoutValidCertificate(current), backoff(failures));
    if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) {
      wait = retryAfter.get();
    }
    if (valid.isPresent()) {
      Duration half =
          RenewalPolicy.atLeastMinimum(Duration.between(now, valid.get().notAfter()).dividedBy(2));
      if (wait.compareTo(half) > 0) {
        wait = half;
      }
    }
    Instant next = now.plus(wait);
    if (valid.isPresent()) {
      Instant lastChance = valid.get().notAfter().minus(lastChanceMargin(attemptTakes));
      if (next.isAfter(lastChance) && lastChance.isAfter(now)) {
        return lastChance;
      }
    }
    return next;
  }

  /** Twice {@code attemptTakes}, at least {@link #LAST_CHANCE_MARGIN}. */
  static Duration lastChanceMargin(Duration attemptTakes) {
    Duration twice = attemptTakes.multipliedBy(2);
    return twice.compareTo(LAST_CHANCE_MARGIN) > 0 ? twice : LAST_CHANCE_MARGIN;
  }

  /** {@link RenewalPolicy#MIN_RETRY_PERIOD} doubled for each failure after the first. */
  private static Duration backoff(int failures) {
    int doublings = Math.min(Math.max(failures, 1) - 1, 20);
    return RenewalPolicy.MIN_RETRY_PERIOD.multipliedBy(1L << doublings);
  }

  private static Duration shorterOf(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private Duration retryWithoutValidCertificate(Optional<CertificateInfo> expired) {
    Duration period =
        expired
            .map(policy::retryPeriod)
            .orElseGet(
                () ->
                    policy.retry() instanceof LifetimeSpan.Fixed fixed
                        ? RenewalPolicy.atLeastMinimum(fixed.duration())
                        : RETRY_CEILING_WITHOUT_VALID_CERTIFICATE);
    return period.compareTo(RETRY_CEILING_WITHOUT_VALID_CERTIFICATE) > 0
        ? RETRY_CEILING_WITHOUT_VALID_CERTIFICATE
        : period;
  }
}
