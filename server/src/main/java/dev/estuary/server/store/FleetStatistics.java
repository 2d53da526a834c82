package dev.estuary.server.store;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * What the console's overview shows of the whole fleet (docs/console.md, "Overview"): the {@link
 * CertificateCensus}; valid certificates by the UTC date they expire on over the next {@link
 * #CHART_DAYS} days, per label; certificates issued per hour over the last 24 hours; and the
 * certificates that expired in the last 24 hours without a successor.
 *
 * <p>The census and the chart come from one set of counts per label ({@link
 * CertificateCensus#ranges}): sums of the expiry hours that issuance and revocation keep ({@link
 * ExpiryHours}), plus an index count over the part of an hour before now, a day and a week ahead.
 * The unrenewed ones are one range of the (label, not_after, revoked_at, renewed_at) index, since
 * the issuance of a successor records it on its predecessor ({@code renewed_at}). Nothing here
 * reads more than a day's expiries, however many certificates there are. Timings at 1,000,000
 * certificates: docs/benchmarks.md.
 */
public final class FleetStatistics {
  /** Days the expiry chart covers: today (UTC) and the 29 after it. */
  public static final int CHART_DAYS = 30;

  /** At most this many unrenewed certificates are listed (all are counted). */
  public static final int MAX_UNRENEWED_LISTED = 50;

  /**
   * A certificate that expired within the last 24 hours, not revoked, with no certificate issued
   * after it for the same subject in the same label: a device that did not renew in time. The
   * definition, with the successor looked up for each candidate ({@code FleetStatisticsTest}
   * compares {@link #UNRENEWED_RECORDED} with it).
   */
  static final String UNRENEWED =
      " FROM certificate c WHERE c.label = :label AND c.not_after > :dayAgo"
          + " AND c.not_after <= :now AND c.revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM"
          + " certificate s WHERE s.subject = c.subject AND s.label = c.label"
          + " AND s.issued_at > c.issued_at)";

  /**
   * The same, as it is counted: the successor recorded when it was issued ({@code renewed_at},
   * schema V11), so that the candidates are one range of {@code certificate_label_expiry_idx}
   * (label, not_after, revoked_at, renewed_at), read from the index alone.
   */
  static final String UNRENEWED_RECORDED =
      " FROM certificate c WHERE c.label = :label AND c.not_after > :dayAgo"
          + " AND c.not_after <= :now AND c.revoked_at IS NULL AND c.renewed_at IS NULL";

  /**
   * The overview at {@code at}.
   *
   * @param expiring per label (sorted), per UTC date from today: valid certificates expiring that
   *     day (today's count starts at {@code at})
   * @param issuedPerHour 24 counts, oldest hour first; the last is the hour ending at {@code at}
   * @param unrenewedCount how many certificates expired in the last 24 hours without a successor
   * @param unrenewed the first {@link #MAX_UNRENEWED_LISTED} of them, latest expiry first
   * @param took how long computing this took
   */
  public record Snapshot(
      Instant at,
      List<CertificateCensus.LabelCounts> census,
      LocalDate firstDay,
      Map<String, long[]> expiring,
      long[] issuedPerHour,
      long unrenewedCount,
      List<CertificateRecord> unrenewed,
      Duration took) {}

  private final Jdbi jdbi;

  public FleetStatistics(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
  }

  public Snapshot compute(Instant now) {
    long started = System.nanoTime();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Instant dayAgo = now.minus(Duration.ofDays(1));
    // The chart's days end at midnights; the census's windows at now, a day and a week after it:
    // each label's certificates are counted once per range between these instants.
    NavigableSet<Instant> bounds = CertificateCensus.bounds(now);
    for (int d = 1; d <= CHART_DAYS; d++) {
      bounds.add(today.plusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant());
    }
    List<CertificateCensus.LabelCounts> counts = new ArrayList<>();
    Map<String, long[]> expiring = new TreeMap<>();
    List<CertificateRecord> unrenewed = new ArrayList<>();
    long[] unrenewedCount = {0};
    long[] perHour = new long[24];
    jdbi.useHandle(
        h -> {
          for (CertificateCensus.Ranges r : CertificateCensus.ranges(h, bounds)) {
            counts.add(CertificateCensus.counts(r, now));
            long[] days = new long[CHART_DAYS];
            for (int d = 0; d < CHART_DAYS; d++) {
              // today's count starts at now: today's midnight is not a bound
              Instant from =
                  d == 0 ? now : today.plusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant();
              Instant to = today.plusDays(d + 1L).atStartOfDay(ZoneOffset.UTC).toInstant();
              days[d] = r.notRevoked(from, to);
            }
            expiring.put(r.label(), days);
            // The count, then the latest of them: their notAfter from the index (the 50th is
            // the oldest listed), then the rows from it on (ties included), sorted here.
            long n =
                h.createQuery("SELECT COUNT(*)" + UNRENEWED_RECORDED)
                    .bind("label", r.label())
                    .bind("dayAgo", dayAgo)
                    .bind("now", now)
                    .mapTo(Long.class)
                    .one();
            unrenewedCount[0] += n;
            if (n > 0) {
              List<Instant> latest =
                  h.createQuery(
                          "SELECT c.not_after"
                              + UNRENEWED_RECORDED
                              + " ORDER BY c.not_after DESC LIMIT "
                              + MAX_UNRENEWED_LISTED)
                      .bind("label", r.label())
                      .bind("dayAgo", dayAgo)
                      .bind("now", now)
                      .mapTo(Instant.class)
                      .list();
              unrenewed.addAll(
                  h.createQuery("SELECT " + JdbiCertificateStore.COLUMNS + UNRENEWED_RECORDED)
                      .bind("label", r.label())
                      // from the oldest listed on (it is later than a day ago)
                      .bind("dayAgo", latest.getLast().minusNanos(1000))
                      .bind("now", now)
                      .map((rs, ctx) -> JdbiCertificateStore.mapRow(rs))
                      .list());
            }
          }
          // Per hour: a count over a range of the issued_at index (V10), index only.
          for (int i = 0; i < 24; i++) {
            perHour[i] =
                h.createQuery(
                        "SELECT COUNT(*) FROM certificate WHERE issued_at > :from"
                            + " AND issued_at <= :to")
                    .bind("from", now.minus(Duration.ofHours(24L - i)))
                    .bind("to", now.minus(Duration.ofHours(23L - i)))
                    .mapTo(Long.class)
                    .one();
          }
        });
    unrenewed.sort(
        Comparator.comparing(CertificateRecord::notAfter)
            .reversed()
            .thenComparing(CertificateRecord::serial));
    List<CertificateRecord> listed =
        List.copyOf(unrenewed.subList(0, Math.min(MAX_UNRENEWED_LISTED, unrenewed.size())));
    return new Snapshot(
        now,
        List.copyOf(counts),
        today,
        new LinkedHashMap<>(expiring),
        perHour,
        unrenewedCount[0],
        listed,
        Duration.ofNanos(System.nanoTime() - started));
  }
}
