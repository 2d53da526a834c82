package dev.estuary.server.store;

import dev.estuary.server.audit.Actors;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

/**
 * {@link CredentialStore} in the SQL database (tables {@code bootstrap_secret}, {@code
 * basic_user}). Every change appends its audit record (never the secret, password or hash) in the
 * change's transaction.
 */
public final class JdbiCredentialStore implements CredentialStore {

  private static final String SECRET_COLUMNS =
      "id, label, hash, created_at, expires_at, uses_remaining, disabled";

  /** How often {@link #putBasicUser} retries after losing an insert race on the same username. */
  private static final int PUT_ATTEMPTS = 5;

  private final Jdbi jdbi;
  private final AuditLog audit;

  public JdbiCredentialStore(Jdbi jdbi) {
    this(jdbi, new AuditLog(jdbi, Clock.systemUTC()));
  }

  public JdbiCredentialStore(Jdbi jdbi, AuditLog audit) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  private void record(
      Handle handle, String event, String actor, String label, Map<String, String> details) {
    AuditLog.append(
        handle, List.of(new AuditEvent(audit.now(), event, actor, label, null, null, details)));
    // every audited credential change is one other replicas must see
    ChangeFeed.announce(handle, ChangeFeed.Topic.CREDENTIAL);
  }

  private BootstrapSecret secretOrNull(Handle handle, String id) {
    return findSecret(handle, id).orElse(null);
  }

  /**
   * @throws IllegalArgumentException when a secret with that id already exists (nothing changed)
   */
  @Override
  public void createSecret(BootstrapSecret secret) {
    createSecret(secret, Actors.SYSTEM);
  }

  @Override
  public void createSecret(BootstrapSecret secret, String actor) {
    Objects.requireNonNull(secret, "secret");
    if (secret.usesRemaining() != null && secret.usesRemaining() < 0) {
      throw new IllegalArgumentException(
          "usesRemaining must not be negative: " + secret.usesRemaining());
    }
    try {
      jdbi.useTransaction(
          handle -> {
            handle
                .createUpdate(
                    "INSERT INTO bootstrap_secret ("
                        + SECRET_COLUMNS
                        + ") VALUES (:id, :label,"
                        + " :hash, :createdAt, :expiresAt, :usesRemaining, :disabled)")
                .bind("id", secret.id())
                .bind("label", secret.label())
                .bind("hash", secret.hash())
                .bind("createdAt", secret.createdAt())
                .bind("expiresAt", secret.expiresAt())
                .bind("usesRemaining", secret.usesRemaining())
                .bind("disabled", secret.disabled())
                .execute();
            Map<String, String> details = new LinkedHashMap<>();
            details.put("id", secret.id());
            details.put(
                "uses",
                secret.usesRemaining() == null ? "unlimited" : secret.usesRemaining().toString());
            details.put(
                "expiresAt", secret.expiresAt() == null ? "never" : secret.expiresAt().toString());
            record(handle, AuditEvent.SECRET_CREATED, actor, secret.label(), details);
          });
    } catch (StatementException e) {
      if (UniqueViolation.isCause(e)) {
        throw new IllegalArgumentException(
            "a bootstrap secret with id " + secret.id() + " already exists", e);
      }
      throw e;
    }
  }

  @Override
  public Optional<BootstrapSecret> findSecret(String id) {
    return jdbi.withHandle(handle -> findSecret(handle, id));
  }

  static Optional<BootstrapSecret> findSecret(Handle handle, String id) {
    return handle
        .createQuery("SELECT " + SECRET_COLUMNS + " FROM bootstrap_secret WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> mapSecret(rs))
        .findOne();
  }

  /** Secrets of one label, or of every label when {@code label} is null; oldest first. */
  @Override
  public List<BootstrapSecret> listSecrets(String label) {
    return jdbi.withHandle(
        handle -> {
          if (label == null) {
            return handle
                .createQuery(
                    "SELECT " + SECRET_COLUMNS + " FROM bootstrap_secret ORDER BY created_at, id")
                .map((rs, ctx) -> mapSecret(rs))
                .list();
          }
          return handle
              .createQuery(
                  "SELECT "
                      + SECRET_COLUMNS
                      + " FROM bootstrap_secret WHERE label = :label"
                      + " ORDER BY created_at, id")
              .bind("label", label)
              .map((rs, ctx) -> mapSecret(rs))
              .list();
        });
  }

  @Override
  public boolean disableSecret(String id) {
    return disableSecret(id, Actors.SYSTEM);
  }

  @Override
  public boolean disableSecret(String id, String actor) {
    return secretChange(
        "UPDATE bootstrap_secret SET disabled = TRUE WHERE id = :key",
        id,
        AuditEvent.SECRET_DISABLED,
        actor);
  }

  @Override
  public boolean deleteSecret(String id) {
    return deleteSecret(id, Actors.SYSTEM);
  }

  @Override
  public boolean deleteSecret(String id, String actor) {
    return secretChange(
        "DELETE FROM bootstrap_secret WHERE id = :key", id, AuditEvent.SECRET_DELETED, actor);
  }

  private boolean secretChange(String sql, String id, String event, String actor) {
    return jdbi.inTransaction(
        handle -> {
          BootstrapSecret before = secretOrNull(handle, id);
          boolean changed = handle.createUpdate(sql).bind("key", id).execute() > 0;
          if (changed) {
            record(handle, event, actor, before == null ? null : before.label(), Map.of("id", id));
          }
          return changed;
        });
  }

  @Override
  public List<BasicUser> listBasicUsers() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT username, label, hash, disabled FROM basic_user ORDER BY username")
                .map((rs, ctx) -> mapBasicUser(rs))
                .list());
  }

  @Override
  public boolean disableBasicUser(String username) {
    return disableBasicUser(username, Actors.SYSTEM);
  }

  @Override
  public boolean disableBasicUser(String username, String actor) {
    return userChange(
        "UPDATE basic_user SET disabled = TRUE WHERE username = :key",
        username,
        AuditEvent.BASIC_USER_DISABLED,
        actor);
  }

  @Override
  public boolean deleteBasicUser(String username) {
    return deleteBasicUser(username, Actors.SYSTEM);
  }

  @Override
  public boolean deleteBasicUser(String username, String actor) {
    return userChange(
        "DELETE FROM basic_user WHERE username = :key",
        username,
        AuditEvent.BASIC_USER_DELETED,
        actor);
  }

  private boolean userChange(String sql, String username, String event, String actor) {
    return jdbi.inTransaction(
        handle -> {
          String label =
              handle
                  .createQuery("SELECT label FROM basic_user WHERE username = :key")
                  .bind("key", username)
                  .mapTo(String.class)
                  .findOne()
                  .orElse(null);
          boolean changed = handle.createUpdate(sql).bind("key", username).execute() > 0;
          if (changed) {
            record(handle, event, actor, label, Map.of("username", username));
          }
          return changed;
        });
  }

  @Override
  public void putBasicUser(BasicUser user) {
    putBasicUser(user, Actors.SYSTEM);
  }

  @Override
  public void putBasicUser(BasicUser user, String actor) {
    Objects.requireNonNull(user, "user");
    for (int attempt = 1; ; attempt++) {
      try {
        jdbi.useTransaction(
            handle -> {
              upsert(handle, user);
              record(
                  handle,
                  AuditEvent.BASIC_USER_CREATED,
                  actor,
                  user.label(),
                  Map.of(
                      "username", user.username(), "disabled", Boolean.toString(user.disabled())));
            });
        return;
      } catch (StatementException e) {
        // Another writer inserted the same username between our UPDATE and INSERT: update it now.
        if (!UniqueViolation.isCause(e) || attempt == PUT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static void upsert(Handle handle, BasicUser user) {
    int updated =
        handle
            .createUpdate(
                "UPDATE basic_user SET label = :label, hash = :hash, disabled = :disabled"
                    + " WHERE username = :username")
            .bind("username", user.username())
            .bind("label", user.label())
            .bind("hash", user.hash())
            .bind("disabled", user.disabled())
            .execute();
    if (updated == 0) {
      handle
          .createUpdate(
              "INSERT INTO basic_user (username, label, hash, disabled)"
                  + " VALUES (:username, :label, :hash, :disabled)")
          .bind("username", user.username())
          .bind("label", user.label())
          .bind("hash", user.hash())
          .bind("disabled", user.disabled())
          .execute();
    }
  }

  @Override
  public Optional<BasicUser> findBasicUser(String username) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT username, label, hash, disabled FROM basic_user WHERE username = :username")
                .bind("username", username)
                .map((rs, ctx) -> mapBasicUser(rs))
                .findOne());
  }

  private static BasicUser mapBasicUser(ResultSet rs) throws SQLException {
    return new BasicUser(
        rs.getString("username"),
        rs.getString("label"),
        rs.getString("hash"),
        rs.getBoolean("disabled"));
  }

  private static BootstrapSecret mapSecret(ResultSet rs) throws SQLException {
    return new BootstrapSecret(
        rs.getString("id"),
        rs.getString("label"),
        rs.getString("hash"),
        StoreColumnTypes.instant(rs, "created_at"),
        StoreColumnTypes.instant(rs, "expires_at"),
        rs.getObject("uses_remaining", Integer.class),
        rs.getBoolean("disabled"));
  }
}
