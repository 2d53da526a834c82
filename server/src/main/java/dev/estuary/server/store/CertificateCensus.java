package dev.estuary.server.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * How many certificates each label has, by status and by how soon they expire. Counted over the
 * {@code certificate_label_expiry_idx} index (label, not_after, revoked_at) alone, never from the
 * rows: the labels by seeking from one to the next in it, then per label one count per range of
 * notAfter between the instants asked about, so each index entry is read once, and the console's
 * {@link FleetStatistics} gets its per-day expiry counts from the same pass (docs/benchmarks.md,
 * "The console with 1,000,000 certificates"). For the metrics, run on a schedule, never per scrape.
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
   * Every label's certificates counted by the notAfter ranges between {@code bounds}, by label: per
   * label one count of a range of the (label, not_after, revoked_at) index per range, each reading
   * only the index.
   */
  static List<Ranges> ranges(Handle h, NavigableSet<Instant> bounds) {
    List<Instant> b = List.copyOf(bounds);
    List<Ranges> out = new ArrayList<>();
    for (String label : labels(h)) {
      long[] notRevoked = new long[b.size() + 1];
      long revoked = 0;
      for (int i = 0; i <= b.size(); i++) {
        var q =
            h.createQuery(
                    "SELECT COUNT(*) AS n, COUNT(revoked_at) AS revoked FROM certificate"
                        + " WHERE label = :label"
                        + (i > 0 ? " AND not_after > :lo" : "")
                        + (i < b.size() ? " AND not_after <= :hi" : ""))
                .bind("label", label);
        if (i > 0) {
          q.bind("lo", b.get(i - 1));
        }
        if (i < b.size()) {
          q.bind("hi", b.get(i));
        }
        long[] counts =
            q.map((rs, ctx) -> new long[] {rs.getLong("n"), rs.getLong("revoked")}).one();
        notRevoked[i] = counts[0] - counts[1];
        revoked += counts[1];
      }
      out.add(new Ranges(label, b, notRevoked, revoked));
    }
    return out;
  }

  /**
   * The labels that have certificates, in the database's order: each the first entry of the label
   * index after the previous label (an index seek each, however many certificates a label has). H2
   * seeks to {@code >= label || NUL} (for {@code > label} it reads every entry of the previous
   * label first); PostgreSQL strings cannot hold NUL, and it seeks to {@code > label} itself.
   */
  static List<String> labels(Handle h) {
    boolean postgres = Database.isPostgres(h);
    List<String> labels = new ArrayList<>();
    Optional<String> next =
        h.createQuery("SELECT label FROM certificate ORDER BY label LIMIT 1")
            .mapTo(String.class)
            .findOne();
    while (next.isPresent()) {
      String label = next.get();
      labels.add(label);
      next =
          h.createQuery(
                  "SELECT label FROM certificate WHERE label "
                      + (postgres ? "> :after" : ">= :after")
                      + " ORDER BY label LIMIT 1")
              .bind("after", postgres ? label : label + '\0')
              .mapTo(String.class)
              .findOne();
    }
    return labels;
  }
}
