package dev.estuary.server.console;

import dev.estuary.server.auth.Actor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The console's sessions, held in this process's memory (one replica: a second replica does not
 * know them, and a restart logs everyone out; docs/console.md). A session is a random 256-bit id
 * (the cookie), the actor who logged in, a random 256-bit CSRF token every form carries, and the
 * last time it was used: unused for longer than the idle timeout, it is gone. Thread-safe; at most
 * {@link #MAX_SESSIONS} at once (the oldest-used one is ended to make room).
 */
final class ConsoleSessions {
  static final int MAX_SESSIONS = 10_000;

  /** One logged-in browser. */
  static final class Session {
    private final String id;
    private final Actor actor;
    private final String csrf;
    private final String address;
    private volatile Instant lastUsed;

    private Session(String id, Actor actor, String csrf, String address, Instant now) {
      this.id = id;
      this.actor = actor;
      this.csrf = csrf;
      this.address = address;
      this.lastUsed = now;
    }

    String id() {
      return id;
    }

    Actor actor() {
      return actor;
    }

    /** The token every form of this session carries. */
    String csrf() {
      return csrf;
    }

    String address() {
      return address;
    }

    /** True when {@code presented} is this session's CSRF token (constant time). */
    boolean csrfMatches(String presented) {
      return presented != null
          && MessageDigest.isEqual(
              presented.getBytes(StandardCharsets.UTF_8), csrf.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "Session[" + actor.auditName() + "]";
    }
  }

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random;
  private final Clock clock;
  private final Duration idle;
  private final BiConsumer<Session, String> ended;

  /**
   * @param idle a session unused this long is ended
   * @param ended told of every session that ends, with why ("logout", "idle", "evicted")
   */
  ConsoleSessions(
      SecureRandom random, Clock clock, Duration idle, BiConsumer<Session, String> ended) {
    this.random = random;
    this.clock = clock;
    this.idle = idle;
    this.ended = ended;
  }

  Duration idleTimeout() {
    return idle;
  }

  /** A new session for {@code actor}. */
  Session create(Actor actor, String address) {
    Instant now = clock.instant();
    if (sessions.size() >= MAX_SESSIONS) {
      sweep(now);
    }
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.values().stream()
          .min((a, b) -> a.lastUsed.compareTo(b.lastUsed))
          .ifPresent(oldest -> end(oldest, "evicted"));
    }
    Session s = new Session(token(), actor, token(), address, now);
    sessions.put(s.id, s);
    return s;
  }

  /**
   * The live session with this id, marked used now; empty when there is none or it was idle too
   * long (then it is ended).
   */
  Optional<Session> use(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Session s = sessions.get(id);
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (expired(s, now)) {
      end(s, "idle");
      return Optional.empty();
    }
    s.lastUsed = now;
    return Optional.of(s);
  }

  /** Ends the session (logout). */
  void logout(Session s) {
    end(s, "logout");
  }

  /** Ends every session idle too long. */
  void sweep(Instant now) {
    List<Session> idleOnes = new ArrayList<>();
    for (Session s : sessions.values()) {
      if (expired(s, now)) {
        idleOnes.add(s);
      }
    }
    idleOnes.forEach(s -> end(s, "idle"));
  }

  int size() {
    return sessions.size();
  }

  private boolean expired(Session s, Instant now) {
    return !now.isBefore(s.lastUsed.plus(idle));
  }

  /** Ends the session, telling why. */
  void end(Session s, String why) {
    if (sessions.remove(s.id, s)) {
      ended.accept(s, why);
    }
  }

  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
