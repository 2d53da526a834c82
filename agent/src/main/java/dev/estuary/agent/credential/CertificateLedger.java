package dev.estuary.agent.credential;

import java.io.IOException;

/**
 * What the agent remembers of the certificate files it wrote, so that a file replaced by hand is
 * noticed and reported instead of being overwritten. Fingerprints are the SHA-256 of the file.
 *
 * <p>The agent records a fingerprint as <em>pending</em> before it writes a file and as
 * <em>committed</em> after, so a crash between the two never makes its own file look foreign.
 */
public interface CertificateLedger {

  /**
   * Whether the agent wrote (or was about to write) the file with {@code fingerprint} under {@code
   * id}.
   */
  boolean wrote(String id, String fingerprint);

  /** Whether the agent has any record for {@code id}. */
  boolean knows(String id);

  /**
   * Records that a file with {@code fingerprint} is about to be written under {@code id}; durable
   * on return.
   */
  void pending(String id, String fingerprint) throws IOException;

  /** Records that the file under {@code id} now has {@code fingerprint}; durable on return. */
  void committed(String id, String fingerprint) throws IOException;
}
