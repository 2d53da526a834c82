package dev.estuary.server.auth;

import java.util.Optional;

/** One way of proving who you are to a label. */
public interface Gate {
  /** "secret", "basic" or "mtls". */
  String name();

  /**
   * @return the caller, or empty when the request carries no credentials of this gate's kind
   * @throws AuthenticationFailed when it carries them but they are not accepted
   */
  Optional<Caller> authenticate(Credentials credentials, String label) throws AuthenticationFailed;
}
