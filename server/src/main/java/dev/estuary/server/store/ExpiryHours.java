package dev.estuary.server.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * The table {@code certificate_expiry} (schema V11): per label and hour, how many certificates
 * expire in it and how many of those are revoked, kept by the transaction that records a
 * certificate or revokes one, so that {@link CertificateCensus} and {@link FleetStatistics} add up
 * a few hundred rows instead of counting every certificate. An hour is numbered by its end, in
 * hours since 1970-01-01T00:00Z: hour {@code h} holds the notAfter instants in {@code ((h-1) hours,
 * h hours]}, the same half-open ranges the counts use ({@code lo < notAfter <= hi}).
 */
public final class ExpiryHours {
  private static final long HOUR_MICROS = 3_600_000_000L;

  private ExpiryHours() {}

  /**
   * The hour {@code notAfter} is in, as stored (to the microsecond): the same as V11's backfill
   * computes in SQL.
   */
  public static long of(Instant notAfter) {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, notAfter);
    return Math.floorDiv(micros - 1, HOUR_MICROS) + 1;
  }

  /** The end of hour {@code h}: the last instant it holds. */
  static Instant end(long h) {
    return Instant.EPOCH.plus(h, ChronoUnit.HOURS);
  }

  /** True when {@code t} is the end of an hour (no part of an hour to count from the index). */
  static boolean isHourEnd(Instant t) {
    return end(of(t)).equals(t.truncatedTo(ChronoUnit.MICROS));
  }

  /** What one transaction adds to one label's hour. */
  public record Delta(String label, long hour, long certificates, long revoked) {}

  /** The deltas of newly recorded certificates, by label and hour. */
  static Collection<Delta> recorded(List<CertificateRecord> certs) {
    Map<String, Map<Long, long[]>> byLabel = new TreeMap<>();
    for (CertificateRecord c : certs) {
      long[] n =
          byLabel
              .computeIfAbsent(c.label(), l -> new TreeMap<>())
              .computeIfAbsent(of(c.notAfter()), h -> new long[2]);
      n[0]++;
      if (c.revoked()) {
        n[1]++;
      }
    }
    return byLabel.entrySet().stream()
        .flatMap(
            l ->
                l.getValue().entrySet().stream()
                    .map(h -> new Delta(l.getKey(), h.getKey(), h.getValue()[0], h.getValue()[1])))
        .toList();
  }

  /**
   * Adds the deltas in the handle's transaction, in (label, hour) order (so that two transactions
   * lock the rows they share in the same order). PostgreSQL: an upsert, safe against a concurrent
   * insert of the same row by another replica; H2 (one process, one writer of new rows, the group
   * commit): an update, and an insert where there was no row.
   */
  public static void add(Handle handle, Collection<Delta> deltas) {
    if (deltas.isEmpty()) {
      return;
    }
    boolean postgres = Database.isPostgres(handle);
    for (Delta d : deltas) {
      Objects.requireNonNull(d.label(), "label");
      if (postgres) {
        handle
            .createUpdate(
                "INSERT INTO certificate_expiry (label, expiry_hour, certificates, revoked)"
                    + " VALUES (:label, :hour, :certificates, :revoked)"
                    + " ON CONFLICT (label, expiry_hour) DO UPDATE SET"
                    + " certificates = certificate_expiry.certificates + EXCLUDED.certificates,"
                    + " revoked = certificate_expiry.revoked + EXCLUDED.revoked")
            .bindMethods(d)
            .execute();
        continue;
      }
      int updated =
          handle
              .createUpdate(
                  "UPDATE certificate_expiry SET certificates = certificates + :certificates,"
                      + " revoked = revoked + :revoked WHERE label = :label AND expiry_hour = :hour")
              .bindMethods(d)
              .execute();
      if (updated == 0) {
        handle
            .createUpdate(
                "INSERT INTO certificate_expiry (label, expiry_hour, certificates, revoked)"
                    + " VALUES (:label, :hour, :certificates, :revoked)")
            .bindMethods(d)
            .execute();
      }
    }
  }

  /** Counts the revocation of {@code cert} (which was not revoked before) in its hour. */
  static void revoked(Handle handle, CertificateRecord cert) {
    handle
        .createUpdate(
            "UPDATE certificate_expiry SET revoked = revoked + 1"
                + " WHERE label = :label AND expiry_hour = :hour")
        .bind("label", cert.label())
        .bind("hour", of(cert.notAfter()))
        .execute();
  }
}
