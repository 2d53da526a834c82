package dev.estuary.server.store;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * What the console's overview shows of the whole fleet, each from an index range (docs/console.md,
 * "Overview"): the {@link CertificateCensus}; valid certificates by the UTC date they expire on
 * over the next {@link #CHART_DAYS} days, per label; certificates issued per hour over the last 24
 * hours; and the certificates that expired in the last 24 hours without a successor.
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
  private final CertificateCensus census;

  public FleetStatistics(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.census = new CertificateCensus(jdbi);
  }

  public Snapshot compute(Instant now) {
    long started = System.nanoTime();
    List<CertificateCensus.LabelCounts> counts = census.count(now);
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Instant dayAgo = now.minus(Duration.ofDays(1));
    Map<String, long[]> expiring = new TreeMap<>();
    List<CertificateRecord> unrenewed = new ArrayList<>();
    long[] unrenewedCount = {0};
    long[] perHour = new long[24];
    jdbi.useHandle(
        h -> {
          for (CertificateCensus.LabelCounts lc : counts) {
            long[] days = new long[CHART_DAYS];
            // Per label and day: a count over a range of the (label, not_after, revoked_at)
            // index, which holds every column the count reads.
            for (int d = 0; d < CHART_DAYS; d++) {
              Instant from = today.plusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant();
              Instant to = today.plusDays(d + 1L).atStartOfDay(ZoneOffset.UTC).toInstant();
              days[d] =
                  h.createQuery(
                          "SELECT COUNT(*) FROM certificate WHERE label = :label"
                              + " AND not_after > :from AND not_after <= :to AND revoked_at IS NULL")
                      .bind("label", lc.label())
                      .bind("from", from.isBefore(now) ? now : from)
                      .bind("to", to)
                      .mapTo(Long.class)
                      .one();
            }
            expiring.put(lc.label(), days);
            unrenewedCount[0] +=
                h.createQuery("SELECT COUNT(*)" + UNRENEWED)
                    .bind("label", lc.label())
                    .bind("dayAgo", dayAgo)
                    .bind("now", now)
                    .mapTo(Long.class)
                    .one();
            unrenewed.addAll(
                h.createQuery(
                        "SELECT "
                            + prefixed("c.")
                            + UNRENEWED
                            + " ORDER BY c.not_after DESC LIMIT "
                            + MAX_UNRENEWED_LISTED)
                    .bind("label", lc.label())
                    .bind("dayAgo", dayAgo)
                    .bind("now", now)
                    .map((rs, ctx) -> JdbiCertificateStore.mapRow(rs))
                    .list());
          }
          // Per hour: a count over a range of the issued_at index (V9).
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
    unrenewed.sort((a, b) -> b.notAfter().compareTo(a.notAfter()));
    List<CertificateRecord> listed =
        List.copyOf(unrenewed.subList(0, Math.min(MAX_UNRENEWED_LISTED, unrenewed.size())));
    return new Snapshot(
        now,
        counts,
        today,
        new LinkedHashMap<>(expiring),
        perHour,
        unrenewedCount[0],
        listed,
        Duration.ofNanos(System.nanoTime() - started));
  }

  private static String prefixed(String alias) {
    StringBuilder b = new StringBuilder();
    for (String col : JdbiCertificateStore.COLUMNS.split(",")) {
      if (!b.isEmpty()) {
        b.append(", ");
      }
      b.append(alias).append(col.strip());
    }
    return b.toString();
  }
}
