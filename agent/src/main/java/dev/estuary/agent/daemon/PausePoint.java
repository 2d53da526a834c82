package dev.estuary.agent.daemon;

import dev.estuary.agent.renewal.KeyRotation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault injection for crash tests: with the system property {@value #PROPERTY} set to {@code
 * <credential-id>:<STEP>} (a {@link KeyRotation.Step}), the agent stops dead right after that step
 * of that credential's key rotation: it writes {@code <state_dir>/paused-after-<STEP>} and sleeps
 * until it is killed. A test then kills it with {@code kill -9} and checks what a restart finds on
 * disk. Without the property this does nothing.
 */
final class PausePoint implements KeyRotation.StepObserver {
  static final String PROPERTY = "estuary.agent.test.pause-after";
  private static final Logger log = LoggerFactory.getLogger(PausePoint.class);

  private final Path stateDir;
  private final String credentialId;
  private final KeyRotation.Step step;

  private PausePoint(Path stateDir, String credentialId, KeyRotation.Step step) {
    this.stateDir = stateDir;
    this.credentialId = credentialId;
    this.step = step;
  }

  /** The observer for {@code credentialId}: a pause point if the property names it, else none. */
  static KeyRotation.StepObserver forCredential(Path stateDir, String credentialId) {
    return Optional.ofNullable(System.getProperty(PROPERTY))
        .map(v -> v.split(":", 2))
        .filter(parts -> parts.length == 2 && parts[0].equals(credentialId))
        .<KeyRotation.StepObserver>map(
            parts ->
                new PausePoint(
                    stateDir,
                    credentialId,
                    KeyRotation.Step.valueOf(parts[1].toUpperCase(Locale.ROOT))))
        .orElse(KeyRotation.StepObserver.NONE);
  }

  @Override
  public void completed(KeyRotation.Step completed, String keyId) {
    if (completed != step) {
      return;
    }
    log.warn(
        "{}: paused after {} for a crash test ({}); waiting to be killed",
        credentialId,
        step,
        PROPERTY);
    try {
      Files.writeString(stateDir.resolve("paused-after-" + step), credentialId);
      Thread.sleep(Long.MAX_VALUE);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("pause point interrupted", e);
    }
  }
}
