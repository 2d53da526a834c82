package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static dev.estuary.server.store.TestCertificates.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class JdbiCredentialStoreTest extends BackendTestCase {

  private CredentialStore store;

  @BeforeEach
  void createStore() {
    store = new JdbiCredentialStore(db.jdbi());
  }

  @Test
  void basicUserIsFoundAfterPut() {
    BasicUser user = new BasicUser("installer", "sensors", "pbkdf2$abc", false);

    store.putBasicUser(user);

    assertThat(store.findBasicUser("installer")).contains(user);
    assertThat(store.findBasicUser("someone-else")).isEmpty();
  }

  @Test
  void putReplacesTheUserWithThatUsername() {
    store.putBasicUser(new BasicUser("installer", "sensors", "pbkdf2$old", false));
    BasicUser replacement = new BasicUser("installer", "*", "pbkdf2$new", true);

    store.putBasicUser(replacement);

    assertThat(store.findBasicUser("installer")).contains(replacement);
  }

  @Test
  void concurrentPutsOfANewUsernameAllSucceed() throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> puts = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 20; i++) {
        BasicUser user = new BasicUser("racer", "sensors", "pbkdf2$" + i, false);
        puts.add(
            executor.submit(
                () -> {
                  start.await();
                  store.putBasicUser(user);
                  return null;
                }));
      }
      start.countDown();
    }
    for (Future<?> put : puts) {
      put.get();
    }

    assertThat(store.findBasicUser("racer"))
        .get()
        .extracting(BasicUser::hash)
        .asString()
        .startsWith("pbkdf2$");
  }

  @Test
  void secretIsFoundWithEveryField() {
    BootstrapSecret limited =
        new BootstrapSecret("s1", "sensors", "pbkdf2$x", T0, T0.plus(Duration.ofDays(7)), 3, false);
    BootstrapSecret open = new BootstrapSecret("s2", "pumps", "pbkdf2$y", T0, null, null, true);

    store.createSecret(limited);
    store.createSecret(open);

    assertThat(store.findSecret("s1")).contains(limited);
    assertThat(store.findSecret("s2")).contains(open);
    assertThat(store.findSecret("s3")).isEmpty();
  }

  @Test
  void creatingASecretWithATakenIdIsRefused() {
    store.createSecret(secret("dup", 1, null));

    assertThatThrownBy(() -> store.createSecret(secret("dup", 9, null)))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(store.findSecret("dup").orElseThrow().usesRemaining()).isEqualTo(1);
  }

  @Test
  void listSecretsByLabelOrAllOldestFirst() {
    BootstrapSecret b =
        new BootstrapSecret("b", "sensors", "h", T0.plusSeconds(2), null, null, false);
    BootstrapSecret a =
        new BootstrapSecret("a", "sensors", "h", T0.plusSeconds(1), null, null, false);
    BootstrapSecret c =
        new BootstrapSecret("c", "pumps", "h", T0.plusSeconds(3), null, null, false);
    store.createSecret(b);
    store.createSecret(a);
    store.createSecret(c);

    assertThat(store.listSecrets("sensors")).containsExactly(a, b);
    assertThat(store.listSecrets("pumps")).containsExactly(c);
    assertThat(store.listSecrets("valves")).isEmpty();
    assertThat(store.listSecrets(null)).containsExactly(a, b, c);
  }

  @Test
  void disableSecretDisablesAKnownSecretOnly() {
    store.createSecret(secret("s1", 3, null));

    assertThat(store.disableSecret("s1")).isTrue();
    assertThat(store.disableSecret("nope")).isFalse();

    assertThat(store.findSecret("s1").orElseThrow().disabled()).isTrue();
    assertThat(store.findSecret("s1").orElseThrow().usesRemaining()).isEqualTo(3);
  }

  @Test
  void deleteSecretRemovesAKnownSecretOnly() {
    store.createSecret(secret("s1", 3, null));
    store.createSecret(secret("s2", 3, null));

    assertThat(store.deleteSecret("s1")).isTrue();
    assertThat(store.deleteSecret("s1")).isFalse();

    assertThat(store.findSecret("s1")).isEmpty();
    assertThat(store.findSecret("s2")).isPresent();
  }

  @Test
  void basicUsersAreListedByUsernameDisabledAndDeleted() {
    BasicUser zed = new BasicUser("zed", "*", "pbkdf2$z", false);
    BasicUser amy = new BasicUser("amy", "sensors", "pbkdf2$a", false);
    store.putBasicUser(zed);
    store.putBasicUser(amy);

    assertThat(store.listBasicUsers()).containsExactly(amy, zed);
    assertThat(store.disableBasicUser("amy")).isTrue();
    assertThat(store.disableBasicUser("nobody")).isFalse();
    assertThat(store.findBasicUser("amy").orElseThrow().disabled()).isTrue();
    assertThat(store.findBasicUser("zed").orElseThrow().disabled()).isFalse();

    assertThat(store.deleteBasicUser("zed")).isTrue();
    assertThat(store.deleteBasicUser("zed")).isFalse();
    assertThat(store.listBasicUsers()).extracting(BasicUser::username).containsExactly("amy");
  }
}
