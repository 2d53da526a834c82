package dev.estuary.agent.credential;

import dev.estuary.agent.est.EstIdentity;
import java.io.IOException;
import java.time.Instant;

/** Chooses how a request for one credential authenticates, at the moment of the request. */
@FunctionalInterface
public interface IdentitySource {

  /**
   * The identity to present at {@code now}.
   *
   * @throws IOException if the identity's certificate or key cannot be read
   */
  EstIdentity identityAt(Instant now) throws IOException;
}
