package dev.estuary.server.store;

import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

/** {@link ConsoleUserStore} in the SQL database (table {@code console_user}, schema V9). */
public final class JdbiConsoleUserStore implements ConsoleUserStore {
  private static final String COLUMNS = "username, role, hash, created_at, created_by, disabled_at";

  private final Jdbi jdbi;

  public JdbiConsoleUserStore(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
  }

  @Override
  public void create(ConsoleUser u) {
    Objects.requireNonNull(u, "user");
    try {
      jdbi.useTransaction(
          handle -> {
            handle
                .createUpdate(
                    "INSERT INTO console_user ("
                        + COLUMNS
                        + ") VALUES (:username, :role, :hash, :createdAt, :createdBy,"
                        + " :disabledAt)")
                .bind("username", u.username())
                .bind("role", u.role())
                .bind("hash", u.hash())
                .bind("createdAt", u.createdAt())
                .bind("createdBy", u.createdBy())
                .bind("disabledAt", u.disabledAt())
                .execute();
            AuditLog.append(
                handle,
                List.of(
                    AuditEvent.of(
                        u.createdAt(),
                        AuditEvent.CONSOLE_USER_CREATED,
                        u.createdBy(),
                        Map.of("username", u.username(), "role", u.role()))));
          });
    } catch (StatementException e) {
      if (UniqueViolation.isCause(e)) {
        throw new IllegalArgumentException("a console user named '" + u.username() + "' exists", e);
      }
      throw e;
    }
  }

  @Override
  public Optional<ConsoleUser> find(String username) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT " + COLUMNS + " FROM console_user WHERE username = :u")
                .bind("u", username)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  @Override
  public List<ConsoleUser> list() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT " + COLUMNS + " FROM console_user ORDER BY username")
                .map((rs, ctx) -> map(rs))
                .list());
  }

  @Override
  public boolean disable(String username, Instant at, String actor) {
    Objects.requireNonNull(actor, "actor");
    return jdbi.inTransaction(
        handle -> {
          int found =
              handle
                  .createQuery("SELECT COUNT(*) FROM console_user WHERE username = :u")
                  .bind("u", username)
                  .mapTo(Integer.class)
                  .one();
          int changed =
              handle
                  .createUpdate(
                      "UPDATE console_user SET disabled_at = :at"
                          + " WHERE username = :u AND disabled_at IS NULL")
                  .bind("u", username)
                  .bind("at", at)
                  .execute();
          if (changed > 0) {
            AuditLog.append(
                handle,
                List.of(
                    AuditEvent.of(
                        at,
                        AuditEvent.CONSOLE_USER_DISABLED,
                        actor,
                        Map.of("username", username))));
          }
          return found > 0;
        });
  }

  private static ConsoleUser map(ResultSet rs) throws SQLException {
    return new ConsoleUser(
        rs.getString("username"),
        rs.getString("role"),
        rs.getString("hash"),
        StoreColumnTypes.instant(rs, "created_at"),
        rs.getString("created_by"),
        StoreColumnTypes.instant(rs, "disabled_at"));
  }
}
