package dev.estuary.server.auth;

import dev.estuary.server.policy.Refusal;

/**
 * A 401 because the presented secret or password is wrong (or names no credential): what a
 * guesser gets, and what the failed-auth limiter counts. A right secret that is used up, expired,
 * disabled or for another label is refused with a plain {@link Refusal}: not a guess, not counted
 * (so the losers of a legitimate race for a secret's last use lock nobody out).
 */
public final class WrongCredentials extends Refusal {
  public WrongCredentials(String reason) {
    super(401, reason);
  }
}
