package dev.estuary.server.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Console users (table {@code console_user}), hashed. Thread-safe. */
public interface ConsoleUserStore {
  /**
   * Stores a new user and its audit record (naming {@code user.createdBy()}) in one transaction.
   *
   * @throws IllegalArgumentException when a user by that name exists (nothing changed)
   */
  void create(ConsoleUser user);

  Optional<ConsoleUser> find(String username);

  /** Every user, disabled ones included, by name. */
  List<ConsoleUser> list();

  /**
   * Disables the user (a user disabled before keeps its first time), with its audit record naming
   * {@code actor}, in one transaction.
   *
   * @return false when there is no such user
   */
  boolean disable(String username, Instant at, String actor);
}
