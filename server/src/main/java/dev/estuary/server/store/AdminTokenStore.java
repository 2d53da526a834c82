package dev.estuary.server.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Admin API tokens (table {@code admin_token}), hashed. Thread-safe. */
public interface AdminTokenStore {
  /**
   * @throws IllegalArgumentException when a token with that id exists (nothing changed)
   */
  void create(AdminTokenRecord token);

  Optional<AdminTokenRecord> find(String id);

  /** Every token, revoked ones included, oldest first. */
  List<AdminTokenRecord> list();

  /**
   * Marks the token revoked at {@code at}; a token revoked before keeps its first time. Creation
   * and revocation append their audit records (naming the creator, or {@code actor}) in the same
   * transaction.
   *
   * @return false when there is no such token
   */
  boolean revoke(String id, Instant at, String actor);
}
