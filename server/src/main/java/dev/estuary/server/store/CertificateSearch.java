package dev.estuary.server.store;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The console's certificate search: by serial, subject (exact, or a prefix ending in {@code *}),
 * label, status and expiring-before, in keyset pages (never OFFSET: the next page starts after the
 * previous page's last row, so page 1,000 costs what page 1 costs). Each shape of search reads an
 * index, never the whole table:
 *
 * <ul>
 *   <li>a serial: the serial's unique index, one row;
 *   <li>an exact subject: {@code certificate_subject_idx} (subject, issued_at), newest first;
 *   <li>a subject prefix: the same index as a range, ordered by subject, issue time, serial;
 *   <li>anything else: ordered by expiry (notAfter, serial) through {@code
 *       certificate_label_expiry_idx} (label, not_after, revoked_at) when a label is given, else
 *       {@code certificate_not_after_idx} (V10; on H2 named in a {@code USE INDEX} hint, which H2
 *       would otherwise pass over for {@code certificate_revoked_idx}); the status and
 *       expiring-before bound the range.
 * </ul>
 *
 * The other criteria filter within the chosen index's range.
 */
public final class CertificateSearch {
  /** A certificate's status at an instant. */
  public enum Status {
    VALID,
    EXPIRED,
    REVOKED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What to find; null fields match everything.
   *
   * @param subject an RFC 4514 DN as recorded, or a prefix of one followed by {@code *}
   */
  public record Criteria(
      BigInteger serial, String subject, String label, Status status, Instant expiringBefore) {
    public static final Criteria ALL = new Criteria(null, null, null, null, null);

    boolean subjectPrefix() {
      return subject != null && subject.endsWith("*");
    }
  }

  /**
   * One page: its rows and the cursor of the next page (null when this is the last).
   *
   * @param next opaque text to pass as {@code after} for the next page
   */
  public record Page(List<CertificateRecord> rows, String next) {}

  /** The largest page. */
  public static final int MAX_PAGE = 200;

  private final Jdbi jdbi;

  public CertificateSearch(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
  }

  /**
   * The page after cursor {@code after} (null for the first page).
   *
   * @param now the instant the status is judged at
   * @throws IllegalArgumentException when {@code after} is not a cursor this search made
   */
  public Page search(Criteria c, String after, int limit, Instant now) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", was " + limit);
    }
    StringBuilder sql =
        new StringBuilder("SELECT " + JdbiCertificateStore.COLUMNS + " FROM certificate");
    int afterTable = sql.length();
    sql.append(" WHERE 1=1");
    List<Binder> binds = new ArrayList<>();
    Cursor cursor = after == null || after.isEmpty() ? null : Cursor.parse(after);
    Mode mode;
    if (c.serial() != null) {
      mode = Mode.SERIAL;
      sql.append(" AND serial = :serial");
      binds.add(q -> q.bind("serial", c.serial()));
    } else if (c.subject() != null && !c.subjectPrefix()) {
      mode = Mode.SUBJECT;
      sql.append(" AND subject = :subject");
      binds.add(q -> q.bind("subject", c.subject()));
      if (cursor != null) {
        sql.append(" AND (issued_at < :kt OR (issued_at = :kt AND serial < :kn))");
        binds.add(q -> q.bind("kt", cursor.time()).bind("kn", cursor.serial()));
      }
    } else if (c.subject() != null) {
      mode = Mode.PREFIX;
      String prefix = c.subject().substring(0, c.subject().length() - 1);
      sql.append(" AND subject >= :from");
      String from = cursor == null ? prefix : cursor.subject();
      binds.add(q -> q.bind("from", from));
      if (!prefix.isEmpty()) {
        sql.append(" AND subject < :to");
        binds.add(q -> q.bind("to", upperBound(prefix)));
      }
      if (cursor != null) {
        sql.append(
            " AND (subject > :ks OR (subject = :ks AND (issued_at > :kt"
                + " OR (issued_at = :kt AND serial > :kn))))");
        binds.add(
            q ->
                q.bind("ks", cursor.subject())
                    .bind("kt", cursor.time())
                    .bind("kn", cursor.serial()));
      }
    } else {
      mode = Mode.EXPIRY;
      if (cursor != null) {
        sql.append(
            " AND not_after >= :kt AND (not_after > :kt OR (not_after = :kt AND serial > :kn))");
        binds.add(q -> q.bind("kt", cursor.time()).bind("kn", cursor.serial()));
      }
    }
    if (c.label() != null) {
      sql.append(" AND label = :label");
      binds.add(q -> q.bind("label", c.label()));
    }
    if (c.status() != null) {
      switch (c.status()) {
        case VALID -> sql.append(" AND revoked_at IS NULL AND not_after > :now");
        case EXPIRED -> sql.append(" AND revoked_at IS NULL AND not_after <= :now");
        case REVOKED -> sql.append(" AND ").append(JdbiRevocationStore.REVOKED);
      }
      if (c.status() != Status.REVOKED) {
        binds.add(q -> q.bind("now", now));
      }
    }
    if (c.expiringBefore() != null) {
      sql.append(" AND not_after < :before");
      binds.add(q -> q.bind("before", c.expiringBefore()));
    }
    sql.append(
        switch (mode) {
          case SERIAL -> "";
          case SUBJECT -> " ORDER BY issued_at DESC, serial DESC";
          case PREFIX -> " ORDER BY subject, issued_at, serial";
          case EXPIRY ->
              c.label() != null
                  ? " ORDER BY label, not_after, serial"
                  : " ORDER BY not_after, serial";
        });
    sql.append(" LIMIT :limit");
    // By expiry without a label and with a status of valid or expired (revoked_at IS NULL), H2
    // reads the whole certificate_revoked_idx range (all of the not revoked certificates), fetches
    // every row and sorts them: 28 s at 1,000,000 rows (docs/benchmarks.md). The page walks
    // certificate_not_after_idx from the start of its range instead (a few ms). PostgreSQL takes
    // no hints (and is not measured at this size yet). A search for revoked ones keeps the
    // revoked index: there are few, and as a range (JdbiRevocationStore.REVOKED) H2 seeks them
    // (3 ms at 78,000 rows) where for IS NOT NULL it walked certificate_not_after_idx and read
    // every row (1.4 s).
    boolean walkNotAfter = mode == Mode.EXPIRY && c.label() == null && c.status() != Status.REVOKED;
    List<CertificateRecord> rows =
        jdbi.withHandle(
            h -> {
              String text =
                  walkNotAfter && !Database.isPostgres(h)
                      ? new StringBuilder(sql)
                          .insert(afterTable, " USE INDEX (certificate_not_after_idx)")
                          .toString()
                      : sql.toString();
              Query q = h.createQuery(text).bind("limit", limit + 1);
              for (Binder b : binds) {
                b.bind(q);
              }
              return q.map((rs, ctx) -> JdbiCertificateStore.mapRow(rs)).list();
            });
    if (rows.size() <= limit) {
      return new Page(rows, null);
    }
    List<CertificateRecord> page = List.copyOf(rows.subList(0, limit));
    CertificateRecord last = page.getLast();
    Cursor next =
        switch (mode) {
          case SERIAL -> null;
          case SUBJECT -> new Cursor(null, last.issuedAt(), last.serial());
          case PREFIX -> new Cursor(last.subject(), last.issuedAt(), last.serial());
          case EXPIRY -> new Cursor(null, last.notAfter(), last.serial());
        };
    return new Page(page, next == null ? null : next.text());
  }

  /** The least string greater than every string that starts with {@code prefix}. */
  static String upperBound(String prefix) {
    char last = prefix.charAt(prefix.length() - 1);
    return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
  }

  private enum Mode {
    SERIAL,
    SUBJECT,
    PREFIX,
    EXPIRY
  }

  @FunctionalInterface
  private interface Binder {
    void bind(Query q);
  }

  /** Where a page ended: (subject,) an instant to the microsecond, and a serial. */
  record Cursor(String subject, Instant time, BigInteger serial) {
    String text() {
      long micros = ChronoUnit.MICROS.between(Instant.EPOCH, time);
      String s =
          subject == null
              ? ""
              : Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(subject.getBytes(StandardCharsets.UTF_8));
      return s + "." + micros + "." + serial.toString(16);
    }

    static Cursor parse(String text) {
      String[] p = text.split("\\.", -1);
      if (p.length != 3) {
        throw new IllegalArgumentException("'" + text + "' is not a page cursor of this search");
      }
      try {
        String subject =
            p[0].isEmpty()
                ? null
                : new String(Base64.getUrlDecoder().decode(p[0]), StandardCharsets.UTF_8);
        Instant t = Instant.EPOCH.plus(Long.parseLong(p[1]), ChronoUnit.MICROS);
        return new Cursor(subject, t, new BigInteger(p[2], 16));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + text + "' is not a page cursor of this search", e);
      }
    }
  }
}
