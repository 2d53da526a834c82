package dev.estuary.sim;

import java.time.Duration;

/**
 * The acceleration: every simulated duration (certificate lifetime, scenario times, the run's
 * length) runs {@code factor} times shorter in real time, and the report multiplies real durations
 * back. See docs/reliability.md, "The fleet simulator", for why the clock itself is not
 * accelerated.
 */
record Speed(double factor) {
  Speed {
    if (!(factor >= 1 && factor <= 10_000)) {
      throw new IllegalArgumentException(
          "--speed must be between 1 and 10000 (times faster than real time), was " + factor);
    }
  }

  /** The real duration standing for {@code simulated}. */
  Duration real(Duration simulated) {
    return Duration.ofNanos(Math.round(simulated.toNanos() / factor));
  }

  /** The simulated duration a real one stands for. */
  Duration simulated(Duration real) {
    return Duration.ofNanos(Math.round(real.toNanos() * factor));
  }

  /** Whole seconds at least one: what a server label's validity can say. */
  static String seconds(Duration d) {
    return Math.max(1, (d.toMillis() + 500) / 1000) + "s";
  }
}
