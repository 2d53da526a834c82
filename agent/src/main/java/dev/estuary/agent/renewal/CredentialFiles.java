package dev.estuary.agent.renewal;

import java.io.IOException;

/**
 * Where a credential keeps its keys and certificates (a keyd/certd-like pair of directories, or a
 * PKCS#11 token for the keys), as {@link KeyRotation} needs it. Ids are logical ({@code
 * "device-id"}); the implementation maps them to file names or token labels.
 *
 * @param <C> the certificate as the implementation stores it (e.g. a PEM chain)
 */
public interface CredentialFiles<C> {

  /** Creates a new private key under {@code keyId}, replacing any key already there. */
  void generateKey(String keyId) throws IOException;

  /**
   * Stores {@code certificate} under {@code certId} atomically: afterwards the id holds either the
   * old certificate or the new one, never a mix (temporary file, fsync, rename, fsync of the
   * directory).
   */
  void writeCertificate(String certId, C certificate) throws IOException;

  /**
   * Atomically moves the key under {@code fromKeyId} to {@code toKeyId}, replacing what was there.
   */
  void replaceKey(String fromKeyId, String toKeyId) throws IOException;

  /** Removes the key under {@code keyId}; does nothing if there is none. */
  void deleteKey(String keyId) throws IOException;

  /** Whether a key exists under {@code keyId}. */
  boolean keyExists(String keyId) throws IOException;

  /**
   * Whether the certificate under {@code certId} certifies the public half of the key under {@code
   * keyId}; false if either is missing.
   */
  boolean certificateMatchesKey(String certId, String keyId) throws IOException;
}
