package dev.estuary.agent.store;

import java.io.IOException;
import java.net.URI;

/**
 * Opens a private key named by a URI in the configuration ({@code identity_pk}, {@code
 * bootstrap_identity_pk}): {@code file:///} for a PEM file, {@code pkcs11:} for a key in a token.
 */
@FunctionalInterface
public interface KeyUris {

  /** The key the URI names, with its public half; an {@link IOException} says what is missing. */
  KeyHandle open(URI uri) throws IOException;
}
