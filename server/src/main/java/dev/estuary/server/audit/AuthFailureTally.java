package dev.estuary.server.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed authentications, counted instead of recorded one by one: anyone can send a wrong secret or
 * token, and a row per attempt would let an anonymous caller fill the audit table. {@link #failed}
 * only counts (per surface and address, in memory); {@link #flush} (every minute, and when the
 * server stops) appends one {@link AuditEvent#AUTHENTICATION_FAILED} record per surface and address
 * with the count, the first and the last time. At most {@link #MAX_ADDRESSES} addresses are kept
 * per minute; failures from further addresses are counted under {@code address:*}. So an attacker
 * adds at most {@code MAX_ADDRESSES + 1} rows per surface and minute, however fast and from however
 * many addresses they try.
 */
public final class AuthFailureTally {
  private static final Logger LOG = LoggerFactory.getLogger(AuthFailureTally.class);

  /** Addresses counted one by one per flush interval. */
  public static final int MAX_ADDRESSES = 100;

  private final AuditLog log;
  private Map<Key, Count> counts = new LinkedHashMap<>();

  private record Key(String surface, String address) {}

  private static final class Count {
    long n;
    Instant first;
    Instant last;
    String lastReason;
  }

  public AuthFailureTally(AuditLog log) {
    this.log = Objects.requireNonNull(log, "log");
  }

  /**
   * Counts one failed authentication.
   *
   * @param surface where: {@code est}, {@code admin}
   * @param reason why, as the caller was told (no secret in it)
   */
  public synchronized void failed(String surface, String address, String reason) {
    Key key = new Key(surface, address);
    Count c = counts.get(key);
    if (c == null) {
      long addressesOfSurface =
          counts.keySet().stream().filter(k -> k.surface().equals(surface)).count();
      if (addressesOfSurface >= MAX_ADDRESSES) {
        key = new Key(surface, "*");
        c = counts.get(key);
      }
      if (c == null) {
        c = new Count();
        counts.put(key, c);
      }
    }
    Instant now = log.now();
    if (c.first == null) {
      c.first = now;
    }
    c.last = now;
    c.n++;
    c.lastReason = reason;
  }

  /** Appends what was counted since the last flush, one record per surface and address. */
  public void flush() {
    Map<Key, Count> taken;
    synchronized (this) {
      if (counts.isEmpty()) {
        return;
      }
      taken = counts;
      counts = new LinkedHashMap<>();
    }
    List<AuditEvent> events = new ArrayList<>(taken.size());
    taken.forEach(
        (k, c) ->
            events.add(
                AuditEvent.of(
                    c.last,
                    AuditEvent.AUTHENTICATION_FAILED,
                    Actors.address(k.address()),
                    Map.of(
                        "surface", k.surface(),
                        "count", Long.toString(c.n),
                        "first", c.first.toString(),
                        "last", c.last.toString(),
                        "lastReason", c.lastReason == null ? "" : c.lastReason))));
    try {
      log.appendAll(events);
    } catch (RuntimeException e) {
      LOG.warn(
          "could not record {} counted authentication failures: {}", events.size(), e.toString());
    }
  }
}
