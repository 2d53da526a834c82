package dev.estuary.agent.renewal;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the engine needs to know about a certificate: when it is valid.
 *
 * <p>As in RFC 5280, both ends are inclusive: the certificate is valid at {@code notAfter} and
 * expired from the next instant on.
 *
 * @param notBefore first instant of validity
 * @param notAfter last instant of validity; after {@code notBefore}
 */
public record CertificateInfo(Instant notBefore, Instant notAfter) {

  public CertificateInfo {
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    if (!notBefore.isBefore(notAfter)) {
      throw new IllegalArgumentException(
          "notBefore (" + notBefore + ") must be before notAfter (" + notAfter + ")");
    }
  }

  /** {@code notAfter - notBefore}. */
  public Duration lifetime() {
    return Duration.between(notBefore, notAfter);
  }

  /** Whether {@code now} is past {@code notAfter}. */
  public boolean isExpiredAt(Instant now) {
    return now.isAfter(notAfter);
  }

  /** Whether {@code now} lies within {@code [notBefore, notAfter]}. */
  public boolean isValidAt(Instant now) {
    return !now.isBefore(notBefore) && !now.isAfter(notAfter);
  }
}
