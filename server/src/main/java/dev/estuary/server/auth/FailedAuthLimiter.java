package dev.estuary.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down credential guessing: a key (a client address, or an address and the credential id it
 * presented) whose requests failed authentication {@code limit} times within a window is answered
 * 429 with Retry-After until the window ends. Each failure costs the server a password-hash
 * computation, so this also bounds that CPU. Fixed windows per key; successes are not counted.
 * Thread-safe, bounded in memory.
 */
public final class FailedAuthLimiter {
  private static final int MAX_ADDRESSES = 100_000;

  private final Clock clock;
  private final int limit;
  private final Duration window;
  private final ConcurrentHashMap<String, Window> failures = new ConcurrentHashMap<>();

  private record Window(Instant start, int count) {}

  /**
   * @param limit failures allowed per window; 0 turns limiting off
   */
  public FailedAuthLimiter(Clock clock, int limit, Duration window) {
    this.clock = clock;
    this.limit = limit;
    this.window = window;
  }

  /**
   * The same window with {@code factor} times the limit (an address-wide bound over per-credential
   * keys).
   */
  public FailedAuthLimiter times(int factor) {
    return new FailedAuthLimiter(clock, limit * factor, window);
  }

  /** How long {@code address} must wait, or {@link Duration#ZERO} when it may try now. */
  public Duration waitFor(String address) {
    if (limit == 0) {
      return Duration.ZERO;
    }
    Window w = failures.get(address);
    Instant now = clock.instant();
    if (w == null || w.count() < limit) {
      return Duration.ZERO;
    }
    Instant end = w.start().plus(window);
    return now.isBefore(end) ? Duration.between(now, end) : Duration.ZERO;
  }

  public void failed(String address) {
    if (limit == 0) {
      return;
    }
    Instant now = clock.instant();
    if (failures.size() >= MAX_ADDRESSES) {
      failures.entrySet().removeIf(e -> !now.isBefore(e.getValue().start().plus(window)));
    }
    failures.compute(
        address,
        (a, w) ->
            w == null || !now.isBefore(w.start().plus(window))
                ? new Window(now, 1)
                : new Window(w.start(), w.count() + 1));
  }
}
