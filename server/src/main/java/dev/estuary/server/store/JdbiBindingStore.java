package dev.estuary.server.store;

import dev.estuary.server.audit.Actors;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

/**
 * {@link BindingStore} in the SQL database. The primary key (label, name) decides a race: the
 * second insert fails and reads the first.
 */
public final class JdbiBindingStore implements BindingStore {
  private static final String COLUMNS = "label, name, principal, description, created_at";

  private final Jdbi jdbi;
  private final AuditLog audit;

  public JdbiBindingStore(Jdbi jdbi) {
    this(jdbi, new AuditLog(jdbi, Clock.systemUTC()));
  }

  public JdbiBindingStore(Jdbi jdbi, AuditLog audit) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  @Override
  public NameBinding bind(NameBinding b) {
    Optional<NameBinding> existing = find(b.label(), b.name());
    if (existing.isPresent()) {
      return existing.get();
    }
    try {
      jdbi.useHandle(
          h ->
              h.createUpdate(
                      "INSERT INTO name_binding ("
                          + COLUMNS
                          + ") VALUES (:label, :name, :principal, :description, :createdAt)")
                  .bind("label", b.label())
                  .bind("name", b.name())
                  .bind("principal", b.principal())
                  .bind("description", b.description())
                  .bind("createdAt", b.createdAt())
                  .execute());
      return b;
    } catch (StatementException e) {
      if (UniqueViolation.isCause(e)) {
        return find(b.label(), b.name()).orElseThrow(() -> e);
      }
      throw e;
    }
  }

  @Override
  public Optional<NameBinding> find(String label, String name) {
    return jdbi.withHandle(h -> find(h, label, name));
  }

  private static Optional<NameBinding> find(Handle h, String label, String name) {
    return h.createQuery(
            "SELECT " + COLUMNS + " FROM name_binding WHERE label = :label AND name = :name")
        .bind("label", label)
        .bind("name", name)
        .map((rs, ctx) -> map(rs))
        .findOne();
  }

  @Override
  public List<NameBinding> findByPrincipal(String label, String principal) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM name_binding WHERE label = :label AND principal = :principal"
                        + " ORDER BY created_at, name")
                .bind("label", label)
                .bind("principal", principal)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  @Override
  public List<NameBinding> list(String label, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM name_binding"
                        + (label == null ? "" : " WHERE label = :label")
                        + " ORDER BY created_at, label, name LIMIT :limit")
                .bind("label", label)
                .bind("limit", limit)
                .map((rs, ctx) -> map(rs))
                .list());
  }

  @Override
  public boolean release(String label, String name) {
    return release(label, name, Actors.SYSTEM);
  }

  /** Releases the binding and appends its audit record in the same transaction. */
  @Override
  public boolean release(String label, String name, String actor) {
    return jdbi.inTransaction(
        h -> {
          Optional<NameBinding> held = find(h, label, name);
          int deleted =
              h.createUpdate("DELETE FROM name_binding WHERE label = :label AND name = :name")
                  .bind("label", label)
                  .bind("name", name)
                  .execute();
          if (deleted > 0 && held.isPresent()) {
            AuditLog.append(
                h,
                List.of(
                    new AuditEvent(
                        audit.now(),
                        AuditEvent.BINDING_RELEASED,
                        actor,
                        label,
                        null,
                        null,
                        Map.of("name", name, "principal", held.get().principal()))));
          }
          if (deleted > 0) {
            ChangeFeed.announce(h, ChangeFeed.Topic.BINDING);
          }
          return deleted > 0;
        });
  }

  private static NameBinding map(ResultSet rs) throws SQLException {
    return new NameBinding(
        rs.getString("label"),
        rs.getString("name"),
        rs.getString("principal"),
        rs.getString("description"),
        StoreColumnTypes.instant(rs, "created_at"));
  }
}
