package dev.estuary.server.auth;

import dev.estuary.server.store.BasicUser;
import dev.estuary.server.store.CredentialStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** HTTP Basic username and password (RFC 7030 §3.2.3), hashed in the credential store. */
public final class BasicAuthGate implements Gate {
  private final CredentialStore store;
  private final VerifiedCredentialCache cache;

  public BasicAuthGate(CredentialStore store, Clock clock) {
    this.store = store;
    this.cache = new VerifiedCredentialCache(clock, Duration.ofMinutes(5));
  }

  @Override
  public String name() {
    return "basic";
  }

  @Override
  public Optional<Caller> authenticate(Credentials credentials, String label)
      throws AuthenticationFailed {
    if (credentials.basicUser() == null) {
      return Optional.empty();
    }
    String username = credentials.basicUser();
    BasicUser user = store.findBasicUser(username).orElse(null);
    String password = credentials.basicPassword() == null ? "" : credentials.basicPassword();
    if (user == null || !cache.verify("basic:" + username, password, user.hash())) {
      throw AuthenticationFailed.wrongCredentials("wrong username or password");
    }
    if (user.disabled()) {
      throw new AuthenticationFailed("the user '" + username + "' is disabled");
    }
    if (!user.label().equals("*") && !user.label().equals(label)) {
      throw new AuthenticationFailed(
          "the user '" + username + "' may not use label '" + label + "'");
    }
    return Optional.of(
        new Caller(name(), username, Principals.ofUser(username), List.of(), null, null, null));
  }
}
