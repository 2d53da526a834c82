package dev.estuary.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.server.auth.Actor;
import dev.estuary.server.auth.FailedAuthLimiter;
import dev.estuary.server.auth.Role;
import dev.estuary.server.store.AdminTokenRecord;
import dev.estuary.server.store.AdminTokenStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link TokenService} alone, over an in-memory store that counts its look-ups. */
class TokenServiceTest {
  static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

  /** An in-memory store; {@code finds} counts look-ups by id (each precedes a hash check). */
  static final class MemoryStore implements AdminTokenStore {
    final Map<String, AdminTokenRecord> rows = new ConcurrentHashMap<>();
    final AtomicInteger finds = new AtomicInteger();

    @Override
    public void create(AdminTokenRecord token) {
      rows.put(token.id(), token);
    }

    @Override
    public Optional<AdminTokenRecord> find(String id) {
      finds.incrementAndGet();
      return Optional.ofNullable(rows.get(id));
    }

    @Override
    public List<AdminTokenRecord> list() {
      return new ArrayList<>(rows.values());
    }

    @Override
    public boolean revoke(String id, Instant at, String actor) {
      AdminTokenRecord t = rows.get(id);
      if (t == null) {
        return false;
      }
      rows.put(
          id,
          new AdminTokenRecord(
              t.id(),
              t.name(),
              t.role(),
              t.hash(),
              t.createdAt(),
              t.createdBy(),
              t.expiresAt(),
              t.revokedAt() == null ? at : t.revokedAt()));
      return true;
    }
  }

  final MemoryStore store = new MemoryStore();
  final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
  final TokenService tokens =
      new TokenService(
          store,
          null,
          new FailedAuthLimiter(clock, 3, Duration.ofMinutes(1)),
          new SecureRandom(),
          clock);

  @Test
  void pastTheLimitATokenIsRefusedBeforeItsRowIsReadOrItsHashComputed() throws Exception {
    String right = tokens.create(Actor.CONFIG_TOKEN, Role.OPERATOR, "", null).value();
    String id = right.substring(0, right.indexOf('.'));
    for (int i = 0; i < 3; i++) {
      assertThat(tokens.authenticate("192.0.2.7", id + "." + "x".repeat(32)))
          .isEqualTo(new TokenService.Refused("the admin token is not valid", true));
    }
    int findsBefore = store.finds.get();

    TokenService.Authentication limited = tokens.authenticate("192.0.2.7", right);

    assertThat(limited).isInstanceOf(TokenService.TooManyFailures.class);
    assertThat(store.finds.get()).as("no row read, so no hash computed").isEqualTo(findsBefore);
    assertThat(tokens.authenticate("192.0.2.8", right))
        .as("another address is not held up")
        .isEqualTo(new TokenService.Authenticated(Actor.token(id, Role.OPERATOR)));
  }

  @Test
  void aRevokedOrExpiredTokenIsRefusedWithoutCountingAsAGuess() throws Exception {
    String revoked = tokens.create(Actor.CONFIG_TOKEN, Role.ADMIN, "", null).value();
    String expired = tokens.create(Actor.CONFIG_TOKEN, Role.ADMIN, "", T0).value();
    tokens.revoke(Actor.CONFIG_TOKEN, revoked.substring(0, 10));

    for (int i = 0; i < 5; i++) {
      assertThat(tokens.authenticate("192.0.2.9", revoked))
          .isInstanceOfSatisfying(
              TokenService.Refused.class, r -> assertThat(r.counted()).isFalse());
      assertThat(tokens.authenticate("192.0.2.9", expired))
          .isInstanceOfSatisfying(
              TokenService.Refused.class, r -> assertThat(r.reason()).contains("expired at " + T0));
    }
  }

  @Test
  void onlyAnAdminManagesTokensAndTheConfigTokenIsAnAdmin() throws Exception {
    Actor operator = Actor.token("op", Role.OPERATOR);
    Actor auditor = Actor.token("au", Role.AUDITOR);

    assertThatThrownBy(() -> tokens.create(operator, Role.AUDITOR, "", null))
        .isInstanceOf(NotPermitted.class)
        .hasMessage(
            "the operator role may not create admin API tokens; that needs the admin role (token:op)");
    assertThatThrownBy(() -> tokens.revoke(auditor, "x")).isInstanceOf(NotPermitted.class);
    assertThat(tokens.list(auditor)).isEmpty();
    assertThat(Actor.CONFIG_TOKEN.role()).isEqualTo(Role.ADMIN);
    assertThat(store.rows).isEmpty();
  }
}
