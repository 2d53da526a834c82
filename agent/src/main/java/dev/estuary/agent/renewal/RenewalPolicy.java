package dev.estuary.agent.renewal;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When to renew a certificate and how long to wait after a failed attempt, as the {@code
 * auto_renew} / {@code identity_auto_renew} tables of an aziot {@code config.toml} say.
 *
 * <ul>
 *   <li>{@code threshold = "N%"}: renew once N% of the lifetime has passed, that is at {@code
 *       notAfter - (1 - N/100) * lifetime}. {@code threshold = "Nmin"} or {@code "Nday"}: renew
 *       that long before {@code notAfter}.
 *   <li>{@code retry = "N%"}: wait N% of the lifetime between attempts; {@code "Nmin"}/{@code
 *       "Nday"}: wait that long. Never less than {@link #MIN_RETRY_PERIOD}.
 * </ul>
 *
 * @param threshold when to renew
 * @param retry how long to wait after a failure
 */
public record RenewalPolicy(LifetimeSpan threshold, LifetimeSpan retry) {

  /** {@code threshold = "80%"}, the identity service's default. */
  public static final LifetimeSpan DEFAULT_THRESHOLD = new LifetimeSpan.Percent(80);

  /** {@code retry = "4%"}, the identity service's default. */
  public static final LifetimeSpan DEFAULT_RETRY = new LifetimeSpan.Percent(4);

  /** The policy when the configuration says nothing: 80%, 4%. */
  public static final RenewalPolicy DEFAULT = new RenewalPolicy(DEFAULT_THRESHOLD, DEFAULT_RETRY);

  /** The shortest wait between two attempts, whatever the retry setting gives. */
  public static final Duration MIN_RETRY_PERIOD = Duration.ofSeconds(1);

  public RenewalPolicy {
    Objects.requireNonNull(threshold, "threshold");
    Objects.requireNonNull(retry, "retry");
  }

  /**
   * Parses the two configuration strings; a {@code null} stands for a key that is absent and takes
   * the default.
   *
   * @throws IllegalArgumentException naming the bad value and the accepted forms
   */
  public static RenewalPolicy parse(String threshold, String retry) {
    return new RenewalPolicy(
        threshold == null ? DEFAULT_THRESHOLD : LifetimeSpan.parse(threshold),
        retry == null ? DEFAULT_RETRY : LifetimeSpan.parse(retry));
  }

  /**
   * When a certificate valid from {@code notBefore} to {@code notAfter} should be renewed, before
   * any jitter; never before {@code notBefore} nor after {@code notAfter}.
   *
   * @throws IllegalArgumentException unless {@code notBefore} is before {@code notAfter}
   */
  public Instant renewAt(Instant notBefore, Instant notAfter) {
    Duration lifetime = lifetime(notBefore, notAfter);
    Instant at =
        threshold instanceof LifetimeSpan.Percent p
            ? notAfter.minus(lifetime.minus(p.of(lifetime)))
            : notAfter.minus(((LifetimeSpan.Fixed) threshold).duration());
    return at.isBefore(notBefore) ? notBefore : at;
  }

  /**
   * How long to wait after a failed attempt for a certificate valid from {@code notBefore} to
   * {@code notAfter}: the retry share of its lifetime or the fixed retry span, at least {@link
   * #MIN_RETRY_PERIOD}.
   *
   * @throws IllegalArgumentException unless {@code notBefore} is before {@code notAfter}
   */
  public Duration retryPeriod(Instant notBefore, Instant notAfter) {
    return atLeastMinimum(retry.of(lifetime(notBefore, notAfter)));
  }

  /** {@link #renewAt} for a certificate's validity. */
  public Instant renewAt(CertificateInfo certificate) {
    return renewAt(certificate.notBefore(), certificate.notAfter());
  }

  /** {@link #retryPeriod} for a certificate's validity. */
  public Duration retryPeriod(CertificateInfo certificate) {
    return retryPeriod(certificate.notBefore(), certificate.notAfter());
  }

  /** The configuration form, e.g. {@code threshold = "80%", retry = "4%"}. */
  @Override
  public String toString() {
    return "threshold = \"" + threshold + "\", retry = \"" + retry + "\"";
  }

  static Duration atLeastMinimum(Duration period) {
    return period.compareTo(MIN_RETRY_PERIOD) < 0 ? MIN_RETRY_PERIOD : period;
  }

  private static Duration lifetime(Instant notBefore, Instant notAfter) {
    if (!notBefore.isBefore(notAfter)) {
      throw new IllegalArgumentException(
          "a certificate's notBefore ("
              + notBefore
              + ") must be before its notAfter ("
              + notAfter
              + ")");
    }
    return Duration.between(notBefore, notAfter);
  }
}
