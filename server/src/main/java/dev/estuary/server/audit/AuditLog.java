package dev.estuary.server.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The audit log (tables {@code audit_log}, {@code audit_head}): appended in the transaction of the
 * change each record describes, read in pages, verified as a chain.
 *
 * <p>Order and concurrency: {@link #append(Handle, List)} locks the chain's head row ({@code SELECT
 * ... FOR UPDATE}), numbers the new records after it, inserts them and moves the head, all in the
 * caller's transaction. Concurrent appenders (threads, or replicas on one PostgreSQL) wait for the
 * head in turn, so ids are dense and every record's previous hash is its predecessor's. It must be
 * the LAST statement of a transaction: the lock is then held only until the commit, and no
 * transaction holds the head while it waits for another row (no deadlock). The group commit of
 * issuances appends one batch's records at once, so the head is taken once per batch, not per
 * certificate.
 */
public final class AuditLog {
  private static final String COLUMNS =
      "id, occurred_at, event, actor, label, subject, serial, details, prev_hash, record_hash";

  private static final String INSERT =
      "INSERT INTO audit_log ("
          + COLUMNS
          + ") VALUES (:id, :at, :event, :actor, :label, :subject, :serial, :details, :prev,"
          + " :hash)";

  /** The largest page {@link #page} returns. */
  public static final int MAX_PAGE = 1000;

  private final Jdbi jdbi;
  private final Clock clock;

  public AuditLog(Jdbi jdbi, Clock clock) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The time new events are stamped with. */
  public Instant now() {
    return clock.instant();
  }

  /** An event at {@link #now()} without label, subject or serial. */
  public AuditEvent event(String event, String actor, Map<String, String> details) {
    return AuditEvent.of(now(), event, actor, details);
  }

  /** Appends {@code event} in a transaction of its own (for events that change nothing else). */
  public void append(AuditEvent event) {
    jdbi.useTransaction(h -> append(h, List.of(event)));
  }

  /** Appends {@code events}, in order, in a transaction of their own. */
  public void appendAll(List<AuditEvent> events) {
    jdbi.useTransaction(h -> append(h, events));
  }

  /**
   * Appends {@code events}, in order, in {@code handle}'s open transaction: call it last, just
   * before the commit (see the class comment).
   */
  public static void append(Handle handle, List<AuditEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    Map<String, Object> head =
        handle
            .createQuery("SELECT last_id, last_hash FROM audit_head WHERE id = 1 FOR UPDATE")
            .mapToMap()
            .one();
    long id = ((Number) head.get("last_id")).longValue();
    String prev = (String) head.get("last_hash");
    PreparedBatch insert = handle.prepareBatch(INSERT);
    for (AuditEvent e : events) {
      id++;
      Instant at = AuditChain.truncate(e.at());
      String details = AuditChain.details(e.details());
      String hash =
          AuditChain.hash(
              id, at, e.event(), e.actor(), e.label(), e.subject(), e.serial(), details, prev);
      insert
          .bind("id", id)
          .bind("at", at.atOffset(ZoneOffset.UTC))
          .bind("event", e.event())
          .bind("actor", e.actor())
          .bind("label", e.label())
          .bind("subject", e.subject())
          .bind("serial", e.serial())
          .bind("details", details)
          .bind("prev", prev)
          .bind("hash", hash)
          .add();
      prev = hash;
    }
    insert.execute();
    handle
        .createUpdate("UPDATE audit_head SET last_id = :id, last_hash = :hash WHERE id = 1")
        .bind("id", id)
        .bind("hash", prev)
        .execute();
  }

  /** What {@link #page} selects; null fields select everything. */
  public record Filter(
      String event, String actor, Instant since, Instant until, String subject, String serial) {
    public static final Filter ALL = new Filter(null, null, null, null, null, null);
  }

  /**
   * A page of records in chain order (oldest first) after id {@code after} (keyset paging: pass the
   * last id of the previous page; 0 for the first).
   */
  public List<AuditRecord> page(Filter filter, long after, int limit) {
    return select(filter, "id > :after", after, "ORDER BY id", limit);
  }

  /**
   * A page of records newest first, before id {@code before} (keyset paging backwards: pass the
   * last id of the previous page; {@link Long#MAX_VALUE} for the newest).
   */
  public List<AuditRecord> latest(Filter filter, long before, int limit) {
    return select(filter, "id < :after", before, "ORDER BY id DESC", limit);
  }

  private List<AuditRecord> select(
      Filter filter, String keyset, long key, String order, int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", was " + limit);
    }
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_log WHERE " + keyset);
    if (filter.event() != null) {
      sql.append(" AND event = :event");
    }
    if (filter.actor() != null) {
      sql.append(" AND actor = :actor");
    }
    if (filter.since() != null) {
      sql.append(" AND occurred_at >= :since");
    }
    if (filter.until() != null) {
      sql.append(" AND occurred_at < :until");
    }
    if (filter.subject() != null) {
      sql.append(" AND subject = :subject");
    }
    if (filter.serial() != null) {
      sql.append(" AND serial = :serial");
    }
    sql.append(" ").append(order).append(" LIMIT :limit");
    return jdbi.withHandle(
        h -> {
          Query q = h.createQuery(sql.toString()).bind("after", key).bind("limit", limit);
          if (filter.event() != null) {
            q.bind("event", filter.event());
          }
          if (filter.actor() != null) {
            q.bind("actor", filter.actor());
          }
          if (filter.since() != null) {
            q.bind("since", filter.since().atOffset(ZoneOffset.UTC));
          }
          if (filter.until() != null) {
            q.bind("until", filter.until().atOffset(ZoneOffset.UTC));
          }
          if (filter.subject() != null) {
            q.bind("subject", filter.subject());
          }
          if (filter.serial() != null) {
            q.bind("serial", filter.serial());
          }
          return q.map((rs, ctx) -> map(rs)).list();
        });
  }

  /** Every record in chain order, streamed (export, verify). */
  public void forEach(Consumer<AuditRecord> each) {
    jdbi.useTransaction(
        h -> {
          try (var stream =
              h
                  .createQuery("SELECT " + COLUMNS + " FROM audit_log ORDER BY id")
                  .setFetchSize(1000)
                  .map((rs, ctx) -> map(rs))
                  .stream()) {
            stream.forEach(each);
          }
        });
  }

  /** The chain's head as the database keeps it: the last id and its hash. */
  public Head head() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
                .map((rs, ctx) -> new Head(rs.getLong("last_id"), rs.getString("last_hash")))
                .one());
  }

  public record Head(long lastId, String lastHash) {}

  /**
   * Walks the chain from record 1 and names the first bad record. Reads the records and the head in
   * one snapshot (REPEATABLE READ), so a server appending meanwhile does not make a good chain look
   * bad.
   */
  public Verification verify() {
    return jdbi.inTransaction(
        TransactionIsolationLevel.REPEATABLE_READ,
        h -> {
          Head head =
              h.createQuery("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
                  .map((rs, ctx) -> new Head(rs.getLong("last_id"), rs.getString("last_hash")))
                  .one();
          ChainWalk walk = new ChainWalk();
          try (var stream =
              h
                  .createQuery("SELECT " + COLUMNS + " FROM audit_log ORDER BY id")
                  .setFetchSize(1000)
                  .map((rs, ctx) -> map(rs))
                  .stream()) {
            var it = stream.iterator();
            while (it.hasNext()) {
              Verification bad = walk.next(it.next());
              if (bad != null) {
                return bad;
              }
            }
          }
          return walk.end(head);
        });
  }

  /**
   * What {@link #verify()} found: {@code ok}, how many records it checked, the head's hash (note
   * it: a later verify whose chain no longer leads through it means the log was rewritten), and the
   * first bad record's id and what is wrong with it.
   */
  public record Verification(
      boolean ok, long records, String headHash, long badId, String problem) {
    public static Verification good(long records, String headHash) {
      return new Verification(true, records, headHash, 0, null);
    }

    public static Verification bad(long records, long badId, String problem) {
      return new Verification(false, records, null, badId, problem);
    }
  }

  private static AuditRecord map(ResultSet rs) throws SQLException {
    OffsetDateTime at = rs.getObject("occurred_at", OffsetDateTime.class);
    return new AuditRecord(
        rs.getLong("id"),
        at.toInstant(),
        rs.getString("event"),
        rs.getString("actor"),
        rs.getString("label"),
        rs.getString("subject"),
        rs.getString("serial"),
        rs.getString("details"),
        rs.getString("prev_hash"),
        rs.getString("record_hash"));
  }

  /** A list of records as one page's worth, for callers that collect (tests, small exports). */
  public List<AuditRecord> all() {
    List<AuditRecord> out = new ArrayList<>();
    forEach(out::add);
    return out;
  }
}
