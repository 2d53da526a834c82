package dev.estuary.server.store;

import java.util.List;
import java.util.Optional;

/** Bootstrap secrets and Basic users, hashed. Thread-safe. */
public interface CredentialStore {
  /**
   * Stores a new secret.
   *
   * @throws IllegalArgumentException when a secret with that id already exists (nothing changed)
   */
  void createSecret(BootstrapSecret secret);

  Optional<BootstrapSecret> findSecret(String id);

  /** The secrets of {@code label}, or of every label when it is null; oldest first. */
  List<BootstrapSecret> listSecrets(String label);

  /**
   * @return false when there is no such secret
   */
  boolean disableSecret(String id);

  /**
   * @return false when there is no such secret
   */
  boolean deleteSecret(String id);

  /** Inserts or replaces the user with that username. */
  void putBasicUser(BasicUser user);

  Optional<BasicUser> findBasicUser(String username);

  /** Every Basic user, by username. */
  List<BasicUser> listBasicUsers();

  /**
   * @return false when there is no such user
   */
  boolean disableBasicUser(String username);

  /**
   * @return false when there is no such user
   */
  boolean deleteBasicUser(String username);

  // The same changes naming who made them (dev.estuary.server.audit.Actors): a store that keeps an
  // audit log records each in the change's transaction. Without an actor, the actor is "system".

  default void createSecret(BootstrapSecret secret, String actor) {
    createSecret(secret);
  }

  default boolean disableSecret(String id, String actor) {
    return disableSecret(id);
  }

  default boolean deleteSecret(String id, String actor) {
    return deleteSecret(id);
  }

  default void putBasicUser(BasicUser user, String actor) {
    putBasicUser(user);
  }

  default boolean disableBasicUser(String username, String actor) {
    return disableBasicUser(username);
  }

  default boolean deleteBasicUser(String username, String actor) {
    return deleteBasicUser(username);
  }
}
