package dev.estuary.server.store;

import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementException;
import org.jdbi.v3.core.statement.Update;

/**
 * One table whose rows are found by one key column, created once and ended once (a time set in one
 * column the first time: disabled, revoked), each change appending its audit record (and, when
 * other replicas cache the rows, announcing its {@link ChangeFeed} topic) in the change's own
 * transaction. What {@link JdbiAdminTokenStore} and {@link JdbiConsoleUserStore} share.
 */
final class KeyedTable<T> {
  private final Jdbi jdbi;
  private final String table;
  private final String columns;
  private final String key;
  private final String ended;
  private final String order;
  private final RowMapper<T> mapper;
  private final ChangeFeed.Topic topic;

  /**
   * @param columns every column, comma-separated, in the order {@code mapper} reads them
   * @param key the column a row is found by (its primary key)
   * @param ended the time column set when the row is ended (null until then)
   * @param order the {@code ORDER BY} of {@link #list}
   * @param topic announced with every change, or null when no replica caches the rows
   */
  KeyedTable(
      Jdbi jdbi,
      String table,
      String columns,
      String key,
      String ended,
      String order,
      RowMapper<T> mapper,
      ChangeFeed.Topic topic) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.table = table;
    this.columns = columns;
    this.key = key;
    this.ended = ended;
    this.order = order;
    this.mapper = mapper;
    this.topic = topic;
  }

  /**
   * Inserts one row and then appends {@code created}, in one transaction.
   *
   * @param values binds the value of every column, named as the column
   * @param taken the message when a row with that key exists
   * @throws IllegalArgumentException with {@code taken} when a row with that key exists (nothing
   *     changed)
   */
  void insert(UnaryOperator<Update> values, Supplier<AuditEvent> created, String taken) {
    String named = ":" + columns.replace(", ", ", :");
    try {
      jdbi.useTransaction(
          handle -> {
            values
                .apply(
                    handle.createUpdate(
                        "INSERT INTO " + table + " (" + columns + ") VALUES (" + named + ")"))
                .execute();
            AuditLog.append(handle, List.of(created.get()));
            if (topic != null) {
              ChangeFeed.announce(handle, topic);
            }
          });
    } catch (StatementException e) {
      if (UniqueViolation.isCause(e)) {
        throw new IllegalArgumentException(taken, e);
      }
      throw e;
    }
  }

  Optional<T> find(String value) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT " + columns + " FROM " + table + " WHERE " + key + " = :key")
                .bind("key", value)
                .map(mapper)
                .findOne());
  }

  /** Every row, ended ones included. */
  List<T> list() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT " + columns + " FROM " + table + " ORDER BY " + order)
                .map(mapper)
                .list());
  }

  /**
   * Ends the row at {@code at} (a row ended before keeps its first time) and, only when this
   * changed it, appends {@code event}, in one transaction.
   *
   * @return false when there is no such row
   */
  boolean end(String value, Instant at, Supplier<AuditEvent> event) {
    return jdbi.inTransaction(
        handle -> {
          int found =
              handle
                  .createQuery("SELECT COUNT(*) FROM " + table + " WHERE " + key + " = :key")
                  .bind("key", value)
                  .mapTo(Integer.class)
                  .one();
          int changed =
              handle
                  .createUpdate(
                      "UPDATE "
                          + table
                          + " SET "
                          + ended
                          + " = :at WHERE "
                          + key
                          + " = :key AND "
                          + ended
                          + " IS NULL")
                  .bind("key", value)
                  .bind("at", at)
                  .execute();
          if (changed > 0) {
            AuditLog.append(handle, List.of(event.get()));
            if (topic != null) {
              ChangeFeed.announce(handle, topic);
            }
          }
          return found > 0;
        });
  }
}
