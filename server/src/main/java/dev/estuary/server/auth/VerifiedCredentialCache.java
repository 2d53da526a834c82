package dev.estuary.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, for a short while, that a presented credential matched its stored hash, so a client
 * that sends Basic on every request (the Azure identity service does) pays the PBKDF2 cost once per
 * {@code ttl}, not per request. Keys are SHA-256 of (scope, hash, presented value): the plain value
 * is never kept, and a changed stored hash invalidates the entry.
 */
public final class VerifiedCredentialCache {
  private static final int MAX_ENTRIES = 10_000;

  private final Clock clock;
  private final Duration ttl;
  private final ConcurrentHashMap<String, Instant> verified = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CompletableFuture<Boolean>> inFlight =
      new ConcurrentHashMap<>();

  public VerifiedCredentialCache(Clock clock, Duration ttl) {
    this.clock = clock;
    this.ttl = ttl;
  }

  /** True when the presented value matches the encoded hash (from cache or by computing it). */
  public boolean verify(String scope, String presented, String encodedHash) {
    String key = key(scope, presented, encodedHash);
    Instant now = clock.instant();
    Instant until = verified.get(key);
    if (until != null && now.isBefore(until)) {
      return true;
    }
    // Concurrent first requests with the same credential (a fleet's clients starting together)
    // share one PBKDF2 computation instead of each paying for its own.
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running.join();
    }
    boolean ok;
    try {
      ok = PasswordHash.verify(presented, encodedHash);
      mine.complete(ok);
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key);
    }
    if (!ok) {
      return false;
    }
    if (verified.size() >= MAX_ENTRIES) {
      verified.entrySet().removeIf(e -> !now.isBefore(e.getValue()));
      if (verified.size() >= MAX_ENTRIES) {
        verified.clear();
      }
    }
    verified.put(key, now.plus(ttl));
    return true;
  }

  private static String key(String scope, String presented, String encodedHash) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(scope.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(encodedHash.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(presented.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
