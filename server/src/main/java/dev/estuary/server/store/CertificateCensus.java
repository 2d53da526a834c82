package dev.estuary.server.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/**
 * How many certificates each label has, by status and by how soon they expire: one grouped query
 * over the {@code certificate_label_expiry_idx} index (label, not_after, revoked_at). For the
 * metrics, run on a schedule, never per scrape.
 */
public final class CertificateCensus {
  static final String QUERY =
      "SELECT label,"
          + " SUM(CASE WHEN revoked_at IS NOT NULL THEN 1 ELSE 0 END) AS revoked,"
          + " SUM(CASE WHEN revoked_at IS NULL AND not_after <= :now THEN 1 ELSE 0 END) AS expired,"
          + " SUM(CASE WHEN revoked_at IS NULL AND not_after > :now THEN 1 ELSE 0 END) AS valid,"
          + " SUM(CASE WHEN revoked_at IS NULL AND not_after > :now AND not_after <= :day"
          + " THEN 1 ELSE 0 END) AS expiring_day,"
          + " SUM(CASE WHEN revoked_at IS NULL AND not_after > :now AND not_after <= :week"
          + " THEN 1 ELSE 0 END) AS expiring_week"
          + " FROM certificate GROUP BY label";

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

  private final Jdbi jdbi;

  public CertificateCensus(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
  }

  /** The counts of every label that has certificates, at {@code now}. */
  public List<LabelCounts> count(Instant now) {
    return jdbi.withHandle(
        h ->
            h.createQuery(QUERY)
                .bind("now", now)
                .bind("day", now.plus(Duration.ofDays(1)))
                .bind("week", now.plus(Duration.ofDays(7)))
                .map(
                    (rs, ctx) ->
                        new LabelCounts(
                            rs.getString("label"),
                            rs.getLong("valid"),
                            rs.getLong("revoked"),
                            rs.getLong("expired"),
                            rs.getLong("expiring_day"),
                            rs.getLong("expiring_week")))
                .list());
  }
}
