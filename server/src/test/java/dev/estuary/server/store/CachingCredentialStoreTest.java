package dev.estuary.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Basic user cache over a real store (H2 and PostgreSQL): a user is read once and then served
 * from memory, a change through the cache is seen by the next read, and another replica's change (a
 * second store on the same database) is seen within a second through the change feed.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class CachingCredentialStoreTest extends BackendTestCase {
  private static final BasicUser INSTALLER =
      new BasicUser("installer", "sensors", "pbkdf2$abc", false);

  /** Another replica: writes to the same database, not through the cache. */
  private CredentialStore elsewhere;

  private CachingCredentialStore cache;

  @BeforeEach
  void createStores() {
    elsewhere = new JdbiCredentialStore(db.jdbi());
    cache = new CachingCredentialStore(new JdbiCredentialStore(db.jdbi()));
    elsewhere.putBasicUser(INSTALLER);
  }

  @Test
  void aUserIsServedFromMemoryUntilInvalidated() {
    assertThat(cache.findBasicUser("installer")).contains(INSTALLER);
    elsewhere.disableBasicUser("installer");

    // the row changed behind the cache's back (no feed here): still the user read before
    assertThat(cache.findBasicUser("installer")).contains(INSTALLER);

    cache.invalidate();
    assertThat(cache.findBasicUser("installer")).map(BasicUser::disabled).contains(true);
  }

  @Test
  void aChangeThroughTheCacheIsSeenByTheNextRead() {
    assertThat(cache.findBasicUser("installer")).contains(INSTALLER);

    cache.disableBasicUser("installer", "admin:test");
    assertThat(cache.findBasicUser("installer")).map(BasicUser::disabled).contains(true);

    BasicUser rehashed = new BasicUser("installer", "*", "pbkdf2$new", false);
    cache.putBasicUser(rehashed);
    assertThat(cache.findBasicUser("installer")).contains(rehashed);

    cache.deleteBasicUser("installer");
    assertThat(cache.findBasicUser("installer")).isEmpty();
  }

  @Test
  void anUnknownUserIsCachedAsAbsentUntilSomeoneCreatesIt() {
    assertThat(cache.findBasicUser("latecomer")).isEmpty();
    assertThat(cache.cachedUsers()).isEqualTo(1);

    BasicUser latecomer = new BasicUser("latecomer", "sensors", "pbkdf2$def", false);
    cache.putBasicUser(latecomer);
    assertThat(cache.findBasicUser("latecomer")).contains(latecomer);
  }

  @Test
  void anotherReplicasChangeIsSeenWithinASecondThroughTheFeed() {
    try (ChangeFeed feed = ChangeFeed.start(db)) {
      cache.following(feed);
      assertThat(cache.findBasicUser("installer")).contains(INSTALLER);

      elsewhere.disableBasicUser("installer");
      await()
          .atMost(Duration.ofSeconds(1))
          .until(() -> cache.findBasicUser("installer").map(BasicUser::disabled).orElse(false));

      elsewhere.deleteBasicUser("installer");
      await()
          .atMost(Duration.ofSeconds(1))
          .until(() -> cache.findBasicUser("installer").equals(Optional.empty()));
    }
  }

  @Test
  void usersStayBounded() {
    for (int i = 0; i < CachingCredentialStore.MAX_USERS + 10; i++) {
      cache.findBasicUser("u" + i);
    }
    assertThat(cache.cachedUsers())
        .isPositive()
        .isLessThanOrEqualTo(CachingCredentialStore.MAX_USERS);
  }
}
