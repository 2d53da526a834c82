package dev.estuary.server.store;

import dev.estuary.server.audit.Actors;
import java.util.List;
import java.util.Optional;

/**
 * The Basic users that EST requests authenticate as, kept in memory in front of another {@link
 * CredentialStore}: a Basic-authenticated enrollment otherwise reads its user's row on every
 * request (4 % of a kept-alive enrollment's server CPU, docs/benchmarks.md).
 *
 * <p>The cache is dropped by every write through it (on this replica a disabled, changed or deleted
 * user is refused on the next request) and by {@link #invalidate()}, which the {@link ChangeFeed}
 * calls when any replica changed a credential: another replica's change is seen within the feed's
 * bound (docs/reliability.md). A read that raced an invalidation never fills the cache. At most
 * {@link #MAX_USERS} usernames are kept (unknown ones too, so a wrong username does not reach the
 * database on every try); beyond that the cache is emptied and fills again. Bootstrap secrets are
 * not cached: each use consumes one of their uses in the database.
 */
public final class CachingCredentialStore implements CredentialStore {
  /** The most Basic users (or their absence) kept. */
  public static final int MAX_USERS = 10_000;

  private final CredentialStore store;
  private final CoherentCache<String, Optional<BasicUser>> users = new CoherentCache<>(MAX_USERS);

  public CachingCredentialStore(CredentialStore store) {
    this.store = store;
  }

  /** Follows {@code feed}: any replica's change of a credential drops the cache. */
  public CachingCredentialStore following(ChangeFeed feed) {
    feed.subscribe(ChangeFeed.Topic.CREDENTIAL, this::invalidate);
    return this;
  }

  /** Forgets every cached user. */
  public void invalidate() {
    users.invalidate();
  }

  /** How many users (or absences) are cached now. */
  int cachedUsers() {
    return users.size();
  }

  @Override
  public Optional<BasicUser> findBasicUser(String username) {
    return users.get(username, () -> store.findBasicUser(username));
  }

  @Override
  public List<BasicUser> listBasicUsers() {
    return store.listBasicUsers();
  }

  @Override
  public void putBasicUser(BasicUser user) {
    putBasicUser(user, Actors.SYSTEM);
  }

  @Override
  public void putBasicUser(BasicUser user, String actor) {
    try {
      store.putBasicUser(user, actor);
    } finally {
      invalidate();
    }
  }

  @Override
  public boolean disableBasicUser(String username) {
    return disableBasicUser(username, Actors.SYSTEM);
  }

  @Override
  public boolean disableBasicUser(String username, String actor) {
    try {
      return store.disableBasicUser(username, actor);
    } finally {
      invalidate();
    }
  }

  @Override
  public boolean deleteBasicUser(String username) {
    return deleteBasicUser(username, Actors.SYSTEM);
  }

  @Override
  public boolean deleteBasicUser(String username, String actor) {
    try {
      return store.deleteBasicUser(username, actor);
    } finally {
      invalidate();
    }
  }

  @Override
  public void createSecret(BootstrapSecret secret) {
    store.createSecret(secret, Actors.SYSTEM);
  }

  @Override
  public void createSecret(BootstrapSecret secret, String actor) {
    store.createSecret(secret, actor);
  }

  @Override
  public Optional<BootstrapSecret> findSecret(String id) {
    return store.findSecret(id);
  }

  @Override
  public List<BootstrapSecret> listSecrets(String label) {
    return store.listSecrets(label);
  }

  @Override
  public boolean disableSecret(String id) {
    return store.disableSecret(id, Actors.SYSTEM);
  }

  @Override
  public boolean disableSecret(String id, String actor) {
    return store.disableSecret(id, actor);
  }

  @Override
  public boolean deleteSecret(String id) {
    return store.deleteSecret(id, Actors.SYSTEM);
  }

  @Override
  public boolean deleteSecret(String id, String actor) {
    return store.deleteSecret(id, actor);
  }
}
