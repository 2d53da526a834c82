package dev.estuary.server.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementException;

/**
 * {@link CredentialStore} in the SQL database (tables {@code bootstrap_secret}, {@code
 * basic_user}).
 */
public final class JdbiCredentialStore implements CredentialStore {

  private static final String SECRET_COLUMNS =
      "id, label, hash, created_at, expires_at, uses_remaining, disabled";

  /** How often {@link #putBasicUser} retries after losing an insert race on the same username. */
  private static final int PUT_ATTEMPTS = 5;

  private final Jdbi jdbi;

  public JdbiCredentialStore(Jdbi jdbi) {
    this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
  }

  /**
   * @throws IllegalArgumentException when a secret with that id already exists (nothing changed)
   */
  @Override
  public void createSecret(BootstrapSecret secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.usesRemaining() != null && secret.usesRemaining() < 0) {
      throw new IllegalArgumentException(
          "usesRemaining must not be negative: " + secret.usesRemaining());
    }
    try {
      jdbi.useHandle(
          handle ->
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
                  .execute());
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
    return jdbi.withHandle(
        handle ->
            handle
                    .createUpdate("UPDATE bootstrap_secret SET disabled = TRUE WHERE id = :id")
                    .bind("id", id)
                    .execute()
                > 0);
  }

  @Override
  public boolean deleteSecret(String id) {
    return update("DELETE FROM bootstrap_secret WHERE id = :key", id);
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
    return update("UPDATE basic_user SET disabled = TRUE WHERE username = :key", username);
  }

  @Override
  public boolean deleteBasicUser(String username) {
    return update("DELETE FROM basic_user WHERE username = :key", username);
  }

  private boolean update(String sql, String key) {
    return jdbi.withHandle(handle -> handle.createUpdate(sql).bind("key", key).execute() > 0);
  }

  @Override
  public void putBasicUser(BasicUser user) {
    Objects.requireNonNull(user, "user");
    for (int attempt = 1; ; attempt++) {
      try {
        jdbi.useTransaction(handle -> upsert(handle, user));
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
