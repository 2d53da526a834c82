package dev.estuary.agent.credential;

import dev.estuary.agent.est.EstIdentity;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/** Chooses how a request for one credential authenticates, at the moment of the request. */
@FunctionalInterface
public interface IdentitySource {

  /**
   * The identity to present at {@code now}.
   *
   * @throws IOException if the identity's certificate or key cannot be read
   */
  EstIdentity identityAt(Instant now) throws IOException;

  /**
   * The server refused {@code refused} (401 or 403) for the request of credential {@code
   * credentialId}: the identity to try instead, if there is one (the bootstrap identity when the
   * EST identity was refused). The source remembers the refusal: later requests do not present the
   * refused identity again.
   *
   * @throws IOException if the other identity's certificate or key cannot be read
   */
  default Optional<EstIdentity> afterRefusal(EstIdentity refused, String credentialId, Instant now)
      throws IOException {
    return Optional.empty();
  }
}
