package dev.estuary.server.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * How many certificates each label has, by status and by how soon they expire. Summed from the
 * expiry hours ({@link ExpiryHours}: per label and hour, how many certificates expire in it and how
 * many of those are revoked, kept by issuance and revocation; schema V11), never from the rows but
 * for the part of an hour before an instant that is not an hour's end, counted over the {@code
 * certificate_label_expiry_idx} index (label, not_after, revoked_at, renewed_at) alone: a few
 * hundred rows and at most an hour's expiries per instant, however many certificates there are
 * (docs/benchmarks.md, "The console with 1,000,000 certificates"). The console's {@link
 * FleetStatistics} gets its per-day expiry counts from the same sums. For the metrics, run on a
 * schedule, never per scrape.
 */
public final class CertificateCensus {
  /**
   * One label's certificates at an instant: {@code valid + revoked + expired} is all of them; the
   * expiring counts are valid certificates whose notAfter is within 24 hours or 7 days.
   */
  public record LabelCounts(
      String label,
      long valid,
      long revoked,
      long expired,
      long expiringWithinDay,
      long expiringWithinWeek) {}

  /**
   * One label's certificates by notAfter range: {@code notRevoked[0]} have notAfter at or before
   * {@code bounds[0]}, {@code notRevoked[i]} after {@code bounds[i-1]} and at or before {@code
   * bounds[i]}, the last after the last bound; {@code revoked} counts the revoked ones of every
   * range.
   */
  record Ranges(String label, List<Instant> bounds, long[] notRevoked, long revoked) {
    /** Not revoked, with {@code lo < notAfter <= hi}; both are bounds. */
    long notRevoked(Instant lo, Instant hi) {
      return sum(index(lo) + 1, index(hi));
    }

    /** Not revoked, with {@code notAfter > lo} (a bound). */
    long notRevokedAfter(Instant lo) {
      return sum(index(lo) + 1, bounds.size());
    }

    /** Not revoked, with {@code notAfter <= hi} (a bound). */
    long notRevokedUpTo(Instant hi) {
      return sum(0, index(hi));
    }

    private int index(Instant bound) {
      int i = bounds.indexOf(bound);
      if (i < 0) {
        throw new IllegalArgumentException(bound + " is not one of the counted bounds");
      }
      return i;
    }

    private long sum(int from, int toInclusive) {
      long n = 0;
      for (int i = from; i <= toInclusive; i++) {
        n += notRevoked[i];
      }
      return n;
    }
  }

  private final Jdbi jdbi;

  public CertificateCensus(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
  }

  /** The counts of every label that has certificates, at {@code now}, by label. */
  public List<LabelCounts> count(Instant now) {
    return jdbi.withHandle(
        h -> {
          List<LabelCounts> out = new ArrayList<>();
          for (Ranges r : ranges(h, bounds(now))) {
            out.add(counts(r, now));
          }
          return out;
        });
  }

  /** The bounds {@link #counts} needs: now, and a day and a week after it. */
  static NavigableSet<Instant> bounds(Instant now) {
    return new TreeSet<>(List.of(now, now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(7))));
  }

  /** One label's census from its ranges, which were counted with (at least) {@link #bounds}. */
  static LabelCounts counts(Ranges r, Instant now) {
    return new LabelCounts(
        r.label(),
        r.notRevokedAfter(now),
        r.revoked(),
        r.notRevokedUpTo(now),
        r.notRevoked(now, now.plus(Duration.ofDays(1))),
        r.notRevoked(now, now.plus(Duration.ofDays(7))));
  }

  /**
   * Every label's certificates counted by the notAfter ranges between {@code bounds}, by label,
   * from the expiry hours ({@link ExpiryHours}, schema V11) rather than from the certificates: per
   * label, one sum over its hours up to the first bound, the hours up to the last bound one by one,
   * and for each bound that is not an hour's end, a count of the label index over the part of its
   * hour up to it (at most an hour's expiries).
   */
  static List<Ranges> ranges(Handle h, NavigableSet<Instant> bounds) {
    List<Instant> b = List.copyOf(bounds);
    List<Ranges> out = new ArrayList<>();
    if (b.isEmpty()) {
      throw new IllegalArgumentException("no bounds");
    }
    // The hours that end at or before each bound; the first bound's and all before it are summed.
    long first = fullHoursUpTo(b.getFirst());
    long last = fullHoursUpTo(b.getLast());
    for (String label : labels(h)) {
      long[] sums =
          h.createQuery(
                  "SELECT COALESCE(SUM(certificates), 0) AS n, COALESCE(SUM(revoked), 0) AS revoked,"
                      + " COALESCE(SUM(CASE WHEN expiry_hour <= :first"
                      + " THEN certificates - revoked ELSE 0 END), 0) AS before"
                      + " FROM certificate_expiry WHERE label = :label")
              .bind("label", label)
              .bind("first", first)
              .map(
                  (rs, ctx) ->
                      new long[] {rs.getLong("n"), rs.getLong("revoked"), rs.getLong("before")})
              .one();
      TreeMap<Long, Long> hours = new TreeMap<>();
      h.createQuery(
              "SELECT expiry_hour, certificates - revoked AS n FROM certificate_expiry"
                  + " WHERE label = :label AND expiry_hour > :first AND expiry_hour <= :last")
          .bind("label", label)
          .bind("first", first)
          .bind("last", last)
          .map((rs, ctx) -> Map.entry(rs.getLong("expiry_hour"), rs.getLong("n")))
          .forEach(e -> hours.put(e.getKey(), e.getValue()));
      // Not revoked with notAfter at or before each bound.
      long[] upTo = new long[b.size()];
      for (int i = 0; i < b.size(); i++) {
        Instant bound = b.get(i);
        long full = fullHoursUpTo(bound);
        long n = sums[2];
        for (long v : hours.headMap(full, true).values()) {
          n += v;
        }
        if (!ExpiryHours.isHourEnd(bound)) {
          n +=
              h.createQuery(
                      "SELECT COUNT(*) - COUNT(revoked_at) FROM certificate WHERE label = :label"
                          + " AND not_after > :lo AND not_after <= :hi")
                  .bind("label", label)
                  .bind("lo", ExpiryHours.end(full))
                  .bind("hi", bound)
                  .mapTo(Long.class)
                  .one();
        }
        upTo[i] = n;
      }
      long[] notRevoked = new long[b.size() + 1];
      for (int i = 0; i <= b.size(); i++) {
        long to = i < b.size() ? upTo[i] : sums[0] - sums[1];
        notRevoked[i] = to - (i > 0 ? upTo[i - 1] : 0);
      }
      out.add(new Ranges(label, b, notRevoked, sums[1]));
    }
    return out;
  }

  /** The last hour that ends at or before {@code t}. */
  private static long fullHoursUpTo(Instant t) {
    long hour = ExpiryHours.of(t);
    return ExpiryHours.isHourEnd(t) ? hour : hour - 1;
  }

  /**
   * The labels that have certificates, in the database's order: those of the expiry hours (every
   * recorded certificate is counted in one, and no row is ever deleted).
   */
  static List<String> labels(Handle h) {
    return h.createQuery("SELECT DISTINCT label FROM certificate_expiry ORDER BY label")
        .mapTo(String.class)
        .list();
  }
}
