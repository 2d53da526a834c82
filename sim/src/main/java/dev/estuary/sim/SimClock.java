package dev.estuary.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * One simulated device's clock: the real time moved by an offset the scenario may change while the
 * device runs ({@code skew} events), as a device whose clock drifted or was set wrong.
 */
final class SimClock extends Clock {
  private volatile Duration offset = Duration.ZERO;

  Duration offset() {
    return offset;
  }

  void skew(Duration by) {
    offset = by;
  }

  /** The real instant at which this clock shows {@code deviceTime}. */
  Instant real(Instant deviceTime) {
    return deviceTime.minus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a simulated device's clock is UTC");
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }
}
