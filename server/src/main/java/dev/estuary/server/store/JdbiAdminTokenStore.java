package dev.estuary.server.store;

import dev.estuary.server.audit.Actors;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

/** {@link AdminTokenStore} in the SQL database (table {@code admin_token}). */
public final class JdbiAdminTokenStore implements AdminTokenStore {
  private static final String COLUMNS =
      "id, name, role, hash, created_at, created_by, expires_at, revoked_at";

  private final Jdbi jdbi;

  public JdbiAdminTokenStore(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
  }

  @Override
  public void create(AdminTokenRecord t) {
    Objects.requireNonNull(t, "token");
    try {
      jdbi.useTransaction(
          handle -> {
            handle
                .createUpdate(
                    "INSERT INTO admin_token ("
                        + COLUMNS
                        + ") VALUES (:id, :name, :role, :hash, :createdAt, :createdBy,"
                        + " :expiresAt, :revokedAt)")
                .bind("id", t.id())
                .bind("name", t.name())
                .bind("role", t.role())
                .bind("hash", t.hash())
                .bind("createdAt", t.createdAt())
                .bind("createdBy", t.createdBy())
                .bind("expiresAt", t.expiresAt())
                .bind("revokedAt", t.revokedAt())
                .execute();
            Map<String, String> details = new LinkedHashMap<>();
            details.put("token", Actors.token(t.id()));
            details.put("role", t.role());
            details.put("name", t.name() == null ? "" : t.name());
            details.put("expiresAt", t.expiresAt() == null ? "never" : t.expiresAt().toString());
            AuditLog.append(
                handle,
                List.of(
                    AuditEvent.of(
                        t.createdAt(), AuditEvent.TOKEN_CREATED, t.createdBy(), details)));
            ChangeFeed.announce(handle, ChangeFeed.Topic.TOKEN);
          });
    } catch (StatementException e) {
      if (UniqueViolation.isCause(e)) {
        throw new IllegalArgumentException("an admin token with id " + t.id() + " exists", e);
      }
      throw e;
    }
  }

  @Override
  public Optional<AdminTokenRecord> find(String id) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT " + COLUMNS + " FROM admin_token WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> map(rs))
                .findOne());
  }

  @Override
  public List<AdminTokenRecord> list() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT " + COLUMNS + " FROM admin_token ORDER BY created_at, id")
                .map((rs, ctx) -> map(rs))
                .list());
  }

  @Override
  public boolean revoke(String id, Instant at, String actor) {
    Objects.requireNonNull(actor, "actor");
    return jdbi.inTransaction(
        handle -> {
          int found =
              handle
                  .createQuery("SELECT COUNT(*) FROM admin_token WHERE id = :id")
                  .bind("id", id)
                  .mapTo(Integer.class)
                  .one();
          int changed =
              handle
                  .createUpdate(
                      "UPDATE admin_token SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL")
                  .bind("id", id)
                  .bind("at", at)
                  .execute();
          if (changed > 0) {
            AuditLog.append(
                handle,
                List.of(
                    AuditEvent.of(
                        at, AuditEvent.TOKEN_REVOKED, actor, Map.of("token", Actors.token(id)))));
            ChangeFeed.announce(handle, ChangeFeed.Topic.TOKEN);
          }
          return found > 0;
        });
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
