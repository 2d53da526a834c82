package dev.estuary.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.auth.Actor;
import dev.estuary.server.auth.Role;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Console sessions: random ids and CSRF tokens, idle expiry by the clock, logout, audit hooks. */
class ConsoleSessionsTest {
  static final Actor ALICE = Actor.console("alice", Role.OPERATOR);

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final MovingClock clock = new MovingClock();
  final List<String> ended = new ArrayList<>();
  final ConsoleSessions sessions =
      new ConsoleSessions(
          new SecureRandom(),
          clock,
          Duration.ofMinutes(15),
          (s, why) -> ended.add(s.actor().auditName() + " " + why));

  @Test
  void idsAndCsrfTokensAre256BitRandomAndDistinct() {
    ConsoleSessions.Session a = sessions.create(ALICE, "127.0.0.1");
    ConsoleSessions.Session b = sessions.create(ALICE, "127.0.0.1");
    assertThat(a.id()).hasSize(43).isNotEqualTo(b.id()).isNotEqualTo(a.csrf());
    assertThat(a.csrf()).hasSize(43).isNotEqualTo(b.csrf());
    assertThat(a.csrfMatches(a.csrf())).isTrue();
    assertThat(a.csrfMatches(b.csrf())).isFalse();
    assertThat(a.csrfMatches(null)).isFalse();
  }

  @Test
  void useKeepsASessionAliveAndIdlenessEndsIt() {
    ConsoleSessions.Session s = sessions.create(ALICE, "127.0.0.1");
    clock.now = clock.now.plus(Duration.ofMinutes(14));
    assertThat(sessions.use(s.id())).contains(s);
    clock.now = clock.now.plus(Duration.ofMinutes(14));
    assertThat(sessions.use(s.id())).as("used 14 min ago").contains(s);
    clock.now = clock.now.plus(Duration.ofMinutes(15));
    assertThat(sessions.use(s.id())).as("idle 15 min").isEmpty();
    assertThat(ended).containsExactly("console:alice idle");
    assertThat(sessions.use(s.id())).isEmpty();
    assertThat(ended).hasSize(1);
  }

  @Test
  void logoutEndsTheSessionAndTheSweepEndsIdleOnes() {
    ConsoleSessions.Session s = sessions.create(ALICE, "127.0.0.1");
    ConsoleSessions.Session idle = sessions.create(Actor.CONFIG_TOKEN, "::1");
    sessions.logout(s);
    assertThat(sessions.use(s.id())).isEmpty();
    clock.now = clock.now.plus(Duration.ofMinutes(16));
    sessions.sweep(clock.now);
    assertThat(sessions.size()).isZero();
    assertThat(ended).containsExactly("console:alice logout", "token:config idle");
    assertThat(sessions.use(idle.id())).isEmpty();
    assertThat(sessions.use(null)).isEmpty();
    assertThat(sessions.use("no-such-session")).isEmpty();
  }
}
