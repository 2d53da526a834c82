package dev.estuary.agent.renewal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A credential whose renewals answer from a script, and which records every attempt. Once the
 * script is used up, attempts get the standing answer: by default success with a certificate of
 * {@code lifetime} starting at the attempt.
 */
final class ScriptedCredential implements Renewable {
  private final String id;
  private final Duration lifetime;
  private final Deque<Function<RenewalAttempt, RenewalOutcome>> script = new ArrayDeque<>();
  private final List<RenewalAttempt> attempts = new ArrayList<>();
  private Function<RenewalAttempt, RenewalOutcome> standing = this::issue;
  private Optional<CertificateInfo> current;
  private MutableClock clock;
  private Duration attemptTakes = Duration.ZERO;

  ScriptedCredential(String id, Optional<CertificateInfo> current, Duration lifetime) {
    this.id = id;
    this.current = current;
    this.lifetime = lifetime;
  }

  /** Holds a certificate valid for {@code lifetime} from {@code notBefore}. */
  static ScriptedCredential holding(String id, Instant notBefore, Duration lifetime) {
    return new ScriptedCredential(
        id, Optional.of(new CertificateInfo(notBefore, notBefore.plus(lifetime))), lifetime);
  }

  /** Holds nothing yet; renewals issue certificates valid for {@code lifetime}. */
  static ScriptedCredential empty(String id, Duration lifetime) {
    return new ScriptedCredential(id, Optional.empty(), lifetime);
  }

  ScriptedCredential thenFail(FailureKind kind, String reason) {
    script.add(a -> RenewalOutcome.Failed.of(kind, reason));
    return this;
  }

  /** From the end of the script on, every attempt fails. */
  ScriptedCredential failingFromThenOn(FailureKind kind, String reason) {
    standing = a -> RenewalOutcome.Failed.of(kind, reason);
    return this;
  }

  /** Every attempt from now on takes {@code duration} of {@code clock}'s time. */
  ScriptedCredential eachAttemptTaking(MutableClock clock, Duration duration) {
    this.clock = clock;
    this.attemptTakes = duration;
    return this;
  }

  ScriptedCredential thenRateLimit(Duration retryAfter) {
    script.add(
        a ->
            RenewalOutcome.Failed.withRetryAfter(
                FailureKind.RATE_LIMITED, "429 Too Many Requests", retryAfter));
    return this;
  }

  ScriptedCredential then(Function<RenewalAttempt, RenewalOutcome> answer) {
    script.add(answer);
    return this;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Optional<CertificateInfo> current() {
    return current;
  }

  @Override
  public RenewalOutcome renew(RenewalAttempt attempt) {
    attempts.add(attempt);
    if (clock != null) {
      clock.advance(attemptTakes);
    }
    RenewalOutcome outcome = (script.isEmpty() ? standing : script.poll()).apply(attempt);
    if (outcome instanceof RenewalOutcome.Renewed renewed) {
      current = Optional.of(renewed.certificate());
    }
    return outcome;
  }

  private RenewalOutcome issue(RenewalAttempt attempt) {
    return new RenewalOutcome.Renewed(
        new CertificateInfo(attempt.at(), attempt.at().plus(lifetime)));
  }

  List<RenewalAttempt> attempts() {
    return attempts;
  }

  List<Instant> attemptTimes() {
    return attempts.stream().map(RenewalAttempt::at).toList();
  }
}
