package dev.estuary.server.metrics;

import dev.estuary.pki.IssuingCa;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Whether the server can issue: the database answers and every label's CA key signs (and its
 * certificate verifies the signature). Checked at most once per {@link #CACHE} however often it is
 * asked, on one thread at a time, and never waiting longer than {@link #LIMIT}: a database that
 * does not answer (the pool waits up to its connection timeout) is "not ready" after two seconds.
 */
public final class Readiness {
  /** How long one answer is reused. */
  static final Duration CACHE = Duration.ofSeconds(3);

  /** The longest a check is waited for. */
  static final Duration LIMIT = Duration.ofSeconds(2);

  private static final byte[] PROBE = "estuary readiness".getBytes();

  /** The answer: ready, or why not (one line). */
  public record State(boolean ready, String reason, Instant checkedAt) {}

  private final DataSource database;
  private final Supplier<Map<String, IssuingCa>> cas;
  private final Clock clock;
  private State last;
  private CompletableFuture<State> running;

  /**
   * @param cas the issuing CA of each label in force now, by label name
   */
  public Readiness(DataSource database, Supplier<Map<String, IssuingCa>> cas, Clock clock) {
    this.database = database;
    this.cas = cas;
    this.clock = clock;
  }

  /** The state, checked again when the last answer is older than {@link #CACHE}. */
  public State state() {
    CompletableFuture<State> check;
    synchronized (this) {
      Instant now = clock.instant();
      if (last != null && now.isBefore(last.checkedAt().plus(CACHE))) {
        return last;
      }
      if (running == null || running.isDone()) {
        running = CompletableFuture.supplyAsync(this::check, Thread.ofVirtual()::start);
      }
      check = running;
    }
    State s;
    try {
      s = check.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      s =
          new State(
              false,
              "the readiness check did not finish within "
                  + LIMIT.toSeconds()
                  + " s (database or key token not answering)",
              clock.instant());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      s = new State(false, "interrupted", clock.instant());
    } catch (ExecutionException e) {
      s = new State(false, "the check failed: " + e.getCause(), clock.instant());
    }
    synchronized (this) {
      last = s;
    }
    return s;
  }

  private State check() {
    try (Connection c = database.getConnection()) {
      if (!c.isValid((int) LIMIT.toSeconds())) {
        return new State(false, "the database connection is not valid", clock.instant());
      }
    } catch (SQLException | RuntimeException e) {
      return new State(false, "database unreachable: " + oneLine(e), clock.instant());
    }
    for (var e : cas.get().entrySet()) {
      try {
        signs(e.getValue());
      } catch (GeneralSecurityException | RuntimeException x) {
        return new State(
            false,
            "the CA key of label '" + e.getKey() + "' cannot sign: " + oneLine(x),
            clock.instant());
      }
    }
    return new State(true, "ready", clock.instant());
  }

  /** Signs a fixed message with the CA's key and verifies it with its certificate. */
  private static void signs(IssuingCa ca) throws GeneralSecurityException {
    PrivateKey key = ca.key();
    String algorithm =
        switch (ca.certificate().getPublicKey().getAlgorithm()) {
          case "EC", "ECDSA" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default ->
              throw new GeneralSecurityException(
                  "unknown key algorithm " + ca.certificate().getPublicKey().getAlgorithm());
        };
    Signature s =
        ca.signerProvider() == null
            ? Signature.getInstance(algorithm)
            : Signature.getInstance(algorithm, ca.signerProvider());
    s.initSign(key);
    s.update(PROBE);
    byte[] signature = s.sign();
    Signature v = Signature.getInstance(algorithm);
    v.initVerify(ca.certificate().getPublicKey());
    v.update(PROBE);
    if (!v.verify(signature)) {
      throw new GeneralSecurityException("its signature does not verify with its certificate");
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    List<String> lines = m.lines().toList();
    return lines.isEmpty() ? e.getClass().getSimpleName() : lines.get(0);
  }
}
