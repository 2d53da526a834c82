package dev.estuary.server.store;

import dev.estuary.server.audit.AuditEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@link ConsoleUserStore} in the SQL database (table {@code console_user}, schema V9). */
public final class JdbiConsoleUserStore implements ConsoleUserStore {
  private final KeyedTable<ConsoleUser> table;

  public JdbiConsoleUserStore(Jdbi jdbi) {
    this.table =
        new KeyedTable<>(
            jdbi,
            "console_user",
            "username, role, hash, created_at, created_by, disabled_at",
            "username",
            "disabled_at",
            "username",
            (rs, ctx) -> map(rs),
            null); // read on every console request, never cached: nothing to announce
  }

  @Override
  public void create(ConsoleUser u) {
    Objects.requireNonNull(u, "user");
    table.insert(
        insert ->
            insert
                .bind("username", u.username())
                .bind("role", u.role())
                .bind("hash", u.hash())
                .bind("created_at", u.createdAt())
                .bind("created_by", u.createdBy())
                .bind("disabled_at", u.disabledAt()),
        () ->
            AuditEvent.of(
                u.createdAt(),
                AuditEvent.CONSOLE_USER_CREATED,
                u.createdBy(),
                Map.of("username", u.username(), "role", u.role())),
        "a console user named '" + u.username() + "' exists");
  }

  @Override
  public Optional<ConsoleUser> find(String username) {
    return table.find(username);
  }

  @Override
  public List<ConsoleUser> list() {
    return table.list();
  }

  @Override
  public boolean disable(String username, Instant at, String actor) {
    Objects.requireNonNull(actor, "actor");
    return table.end(
        username,
        at,
        () ->
            AuditEvent.of(
                at, AuditEvent.CONSOLE_USER_DISABLED, actor, Map.of("username", username)));
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
