package dev.estuary.server.store;

import dev.estuary.server.audit.Actors;
import dev.estuary.server.audit.AuditEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@link AdminTokenStore} in the SQL database (table {@code admin_token}). */
public final class JdbiAdminTokenStore implements AdminTokenStore {
  private final KeyedTable<AdminTokenRecord> table;

  public JdbiAdminTokenStore(Jdbi jdbi) {
    this.table =
        new KeyedTable<>(
            jdbi,
            "admin_token",
            "id, name, role, hash, created_at, created_by, expires_at, revoked_at",
            "id",
            "revoked_at",
            "created_at, id",
            (rs, ctx) -> map(rs),
            ChangeFeed.Topic.TOKEN);
  }

  @Override
  public void create(AdminTokenRecord t) {
    Objects.requireNonNull(t, "token");
    table.insert(
        insert ->
            insert
                .bind("id", t.id())
                .bind("name", t.name())
                .bind("role", t.role())
                .bind("hash", t.hash())
                .bind("created_at", t.createdAt())
                .bind("created_by", t.createdBy())
                .bind("expires_at", t.expiresAt())
                .bind("revoked_at", t.revokedAt()),
        () -> AuditEvent.of(t.createdAt(), AuditEvent.TOKEN_CREATED, t.createdBy(), details(t)),
        "an admin token with id " + t.id() + " exists");
  }

  @Override
  public Optional<AdminTokenRecord> find(String id) {
    return table.find(id);
  }

  @Override
  public List<AdminTokenRecord> list() {
    return table.list();
  }

  @Override
  public boolean revoke(String id, Instant at, String actor) {
    Objects.requireNonNull(actor, "actor");
    return table.end(
        id,
        at,
        () ->
            AuditEvent.of(at, AuditEvent.TOKEN_REVOKED, actor, Map.of("token", Actors.token(id))));
  }

  private static Map<String, String> details(AdminTokenRecord t) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("token", Actors.token(t.id()));
    details.put("role", t.role());
    details.put("name", t.name() == null ? "" : t.name());
    details.put("expiresAt", t.expiresAt() == null ? "never" : t.expiresAt().toString());
    return details;
  }

  private static AdminTokenRecord map(ResultSet rs) throws SQLException {
    return new AdminTokenRecord(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("role"),
        rs.getString("hash"),
        StoreColumnTypes.instant(rs, "created_at"),
        rs.getString("created_by"),
        StoreColumnTypes.instant(rs, "expires_at"),
        StoreColumnTypes.instant(rs, "revoked_at"));
  }
}
