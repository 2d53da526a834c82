package dev.estuary.agent.renewal;

import java.io.IOException;
import java.util.Objects;

/**
 * Replaces a credential's key and certificate so that a key and a certificate that belong together
 * are always recoverable from disk, whatever fails and wherever the process is killed.
 *
 * <p>The order (the Azure identity service's, from docs/wire.md):
 *
 * <ol>
 *   <li>{@link Step#GENERATE_KEY}: a new key under the {@linkplain #temporaryKeyId temporary id};
 *       the old key and certificate stay untouched and in force;
 *   <li>{@link Step#ISSUE_CERTIFICATE}: ask for a certificate for the new key;
 *   <li>{@link Step#WRITE_CERTIFICATE}: write it over the old certificate, atomically;
 *   <li>{@link Step#REPLACE_KEY}: move the new key over the old one, atomically.
 * </ol>
 *
 * <p>A failure in steps 1–2, or a write in step 3 that did not land, deletes the temporary key and
 * leaves the old pair in force ({@link Result.KeptOld}). Two files cannot be replaced in one atomic
 * step, so between steps 3 and 4 the certificate on disk is the new one while its key is still
 * under the temporary id. If step 4 fails, or the process dies there, the temporary key is
 * therefore <em>not</em> deleted — it is the only key matching the certificate on disk — and {@link
 * #recover} completes the move ({@link Result.Interrupted}). {@link #rotate} runs {@code recover}
 * first, and the agent should run it for each credential at start-up, before reading the pair.
 *
 * @param <C> the certificate type of the {@link CredentialFiles}
 */
public final class KeyRotation<C> {

  /** The four steps, in order. */
  public enum Step {
    GENERATE_KEY,
    ISSUE_CERTIFICATE,
    WRITE_CERTIFICATE,
    REPLACE_KEY
  }

  /** What {@link #recover} found and did. */
  public enum Recovery {
    /** No rotation was under way. */
    NOTHING_TO_DO,
    /** The new certificate was on disk: its key was moved over the old one. */
    COMPLETED,
    /** The new certificate never reached the disk: the temporary key was deleted. */
    DISCARDED
  }

  /** Obtains a certificate for a key (the credential's enrollment call). */
  @FunctionalInterface
  public interface Issuer<C> {
    /**
     * Returns a certificate for the public half of the key stored under {@code keyId}.
     *
     * @throws Exception any failure; {@link KeyRotation} hands it back in {@link Result.KeptOld} so
     *     the credential can tell a refusal from an unreachable server
     */
    C issue(String keyId) throws Exception;
  }

  /** How {@link #rotate} ended. */
  public sealed interface Result<C> {

    /**
     * The new key and certificate are in force under the credential's ids.
     *
     * @param certificate the new certificate
     */
    record Rotated<C>(C certificate) implements Result<C> {}

    /**
     * The rotation failed at {@code step}; the old key and certificate are still in force and no
     * temporary key is left behind (unless deleting it failed too, see {@code cause}'s suppressed
     * exceptions; the next {@link #recover} removes it).
     *
     * @param step where it failed
     * @param cause what failed, as thrown by the issuer or the files
     */
    record KeptOld<C>(Step step, Exception cause) implements Result<C> {}

    /**
     * The rotation stopped once the new certificate was, or may have been, written: the new key is
     * kept under the temporary id, because it may be the only key matching the certificate on disk.
     * {@link #recover} completes the rotation or discards the key, whichever the disk calls for.
     * Until then the credential should report a local failure and not use the pair.
     *
     * @param step {@link Step#REPLACE_KEY}, or {@link Step#WRITE_CERTIFICATE} when the write failed
     *     and the certificate on disk could not be read back
     * @param cause what failed
     */
    record Interrupted<C>(Step step, Exception cause) implements Result<C> {}
  }

  private final CredentialFiles<C> files;

  /** Rotates keys stored in {@code files}. */
  public KeyRotation(CredentialFiles<C> files) {
    this.files = Objects.requireNonNull(files, "files");
  }

  /** The id the new key lives under until it replaces the key under {@code keyId}. */
  public static String temporaryKeyId(String keyId) {
    return keyId + "-temp";
  }

  /**
   * Replaces the key under {@code keyId} and the certificate under {@code certId} with a new key
   * and a certificate {@code issuer} obtains for it.
   *
   * @throws IOException only if finishing an earlier, interrupted rotation fails; nothing was
   *     changed by this call then
   */
  public Result<C> rotate(String certId, String keyId, Issuer<C> issuer) throws IOException {
    recover(certId, keyId);
    String temporary = temporaryKeyId(keyId);
    C certificate;
    try {
      files.generateKey(temporary);
    } catch (Exception e) {
      return keepOld(Step.GENERATE_KEY, e, temporary);
    }
    try {
      certificate = issuer.issue(temporary);
    } catch (Exception e) {
      return keepOld(Step.ISSUE_CERTIFICATE, e, temporary);
    }
    try {
      files.writeCertificate(certId, certificate);
    } catch (Exception e) {
      // The write may have landed before failing (say, on the directory fsync): look at the disk.
      try {
        if (!files.certificateMatchesKey(certId, temporary)) {
          return keepOld(Step.WRITE_CERTIFICATE, e, temporary);
        }
      } catch (IOException unreadable) {
        // Cannot tell which certificate is on disk: keep the temporary key for recover().
        e.addSuppressed(unreadable);
        return new Result.Interrupted<>(Step.WRITE_CERTIFICATE, e);
      }
    }
    try {
      files.replaceKey(temporary, keyId);
    } catch (Exception e) {
      return new Result.Interrupted<>(Step.REPLACE_KEY, e);
    }
    return new Result.Rotated<>(certificate);
  }

  /**
   * Finishes or undoes a rotation that an earlier run left half done, so the key under {@code
   * keyId} matches the certificate under {@code certId} again (as far as it did before the rotation
   * started).
   */
  public Recovery recover(String certId, String keyId) throws IOException {
    String temporary = temporaryKeyId(keyId);
    if (!files.keyExists(temporary)) {
      return Recovery.NOTHING_TO_DO;
    }
    if (files.certificateMatchesKey(certId, temporary)) {
      files.replaceKey(temporary, keyId);
      return Recovery.COMPLETED;
    }
    files.deleteKey(temporary);
    return Recovery.DISCARDED;
  }

  private Result<C> keepOld(Step step, Exception cause, String temporary) {
    try {
      files.deleteKey(temporary);
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
    return new Result.KeptOld<>(step, cause);
  }
}
