package dev.estuary.server.store;

import java.math.BigInteger;
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
 * What the console's overview shows of the whole fleet, each from an index range (docs/console.md,
 * "Overview"): the {@link CertificateCensus}; valid certificates by the UTC date they expire on
 * over the next {@link #CHART_DAYS} days, per label; certificates issued per hour over the last 24
 * hours; and the certificates that expired in the last 24 hours without a successor.
 *
 * <p>The census and the chart come from one set of counts: per label, one count per range of
 * notAfter between now, a day and a week from now and the chart's midnights, over the (label,
 * not_after, revoked_at) index alone ({@link CertificateCensus#ranges}), so each index entry is
 * read once; the unrenewed ones are counted and listed by one query per label (each candidate's
 * successor looked up once, not twice). Timings at 1,000,000 certificates: docs/benchmarks.md.
 */
public final class FleetStatistics {
  /** Days the expiry chart covers: today (UTC) and the 29 after it. */
  public static final int CHART_DAYS = 30;

  /** At most this many unrenewed certificates are listed (all are counted). */
  public static final int MAX_UNRENEWED_LISTED = 50;

  /**
   * A certificate that expired within the last 24 hours, not revoked, with no certificate issued
   * after it for the same subject in the same label: a device that did not renew in time.
   */
  static final String UNRENEWED =
      " FROM certificate c WHERE c.label = :label AND c.not_after > :dayAgo"
          + " AND c.not_after <= :now AND c.revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM"
          + " certificate s WHERE s.subject = c.subject AND s.label = c.label"
          + " AND s.issued_at > c.issued_at)";

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
            // The count and the latest of them in one pass (each candidate's successor looked
            // up once): the serials first, then those rows.
            List<Listed> latest =
                h.createQuery(
                        "SELECT c.serial AS serial, COUNT(*) OVER () AS n"
                            + UNRENEWED
                            + " ORDER BY c.not_after DESC, c.serial LIMIT "
                            + MAX_UNRENEWED_LISTED)
                    .bind("label", r.label())
                    .bind("dayAgo", dayAgo)
                    .bind("now", now)
                    .map(
                        (rs, ctx) ->
                            new Listed(
                                rs.getBigDecimal("serial").toBigIntegerExact(), rs.getLong("n")))
                    .list();
            List<BigInteger> serials = latest.stream().map(Listed::serial).toList();
            unrenewedCount[0] += latest.isEmpty() ? 0 : latest.getFirst().of();
            if (!serials.isEmpty()) {
              unrenewed.addAll(
                  h.createQuery(
                          "SELECT "
                              + JdbiCertificateStore.COLUMNS
                              + " FROM certificate WHERE serial IN (<serials>)")
                      .bindList("serials", serials)
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

  /** One listed unrenewed certificate, and how many there are of its label. */
  private record Listed(BigInteger serial, long of) {}
}
