package dev.estuary.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent per state directory: the lock against other processes (a child JVM runs {@link
 * LockHolder}), within this process, the pid it records, and its release.
 */
class AgentLockTest {
  private static final long CHILD_LIMIT_SECONDS = 30;

  @TempDir Path dir;
  private Process child;

  @AfterEach
  void stopChild() throws Exception {
    if (child != null) {
      child.getOutputStream().close();
      if (!child.waitFor(CHILD_LIMIT_SECONDS, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
  }

  @Test
  void anotherProcessIsRefusedWhileThisOneHoldsTheLock() throws Exception {
    try (AgentLock held = AgentLock.tryAcquire(dir).orElseThrow()) {
      assertThat(startChild()).isEqualTo("refused");
    }
  }

  @Test
  void thisProcessIsRefusedWhileAnotherHoldsTheLockAndSeesItsPid() throws Exception {
    assertThat(startChild()).isEqualTo("locked");

    assertThat(AgentLock.tryAcquire(dir)).isEmpty();
    assertThat(AgentLock.isHeld(dir)).isTrue();
    assertThat(AgentLock.holder(dir)).contains(child.pid());
  }

  @Test
  void theLockIsFreeOnceTheHoldingProcessEnds() throws Exception {
    assertThat(startChild()).isEqualTo("locked");
    stopChild();

    assertThat(AgentLock.isHeld(dir)).isFalse();
    try (AgentLock held = AgentLock.tryAcquire(dir).orElseThrow()) {
      assertThat(AgentLock.holder(dir)).contains(ProcessHandle.current().pid());
    }
  }

  @Test
  void closingReleasesTheLock() throws Exception {
    AgentLock.tryAcquire(dir).orElseThrow().close();

    assertThat(startChild()).isEqualTo("locked");
  }

  @Test
  void aSecondAcquireInTheHoldingProcessIsRefusedAndKeepsTheLock() throws Exception {
    try (AgentLock held = AgentLock.tryAcquire(dir).orElseThrow()) {
      assertThat(AgentLock.tryAcquire(dir)).isEmpty();
      assertThat(AgentLock.isHeld(dir)).isTrue();

      assertThat(startChild()).as("another process, after the second attempt").isEqualTo("refused");
    }
    try (AgentLock again = AgentLock.tryAcquire(dir).orElseThrow()) {
      assertThat(again).isNotNull();
    }
  }

  @Test
  void nothingIsHeldWithoutALockFile() throws Exception {
    assertThat(AgentLock.isHeld(dir)).isFalse();
    assertThat(AgentLock.holder(dir)).isEmpty();
  }

  /**
   * Starts {@link LockHolder} on {@link #dir} and returns what it says: {@code locked} or {@code
   * refused}.
   */
  private String startChild() throws Exception {
    child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LockHolder.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
    return Optional.ofNullable(
            CompletableFuture.supplyAsync(() -> readLine(out))
                .get(CHILD_LIMIT_SECONDS, TimeUnit.SECONDS))
        .orElse("(no answer)");
  }

  private static String readLine(BufferedReader in) {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Issue 16 point 6: agent.lock is never opened through a symlink, not even by the read-only
   * status.
   */
  @Test
  void aSymlinkAtTheLockIsRefusedAndItsTargetLeftAlone() throws Exception {
    Path target =
        Files.writeString(dir.resolveSibling(dir.getFileName() + "-precious.txt"), "keep me\n");
    try {
      Files.createSymbolicLink(dir.resolve(AgentLock.NAME), target);

      Assertions.assertThatThrownBy(() -> AgentLock.tryAcquire(dir))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(AgentLock.NAME);
      Assertions.assertThatThrownBy(() -> AgentLock.isHeld(dir)).isInstanceOf(IOException.class);
      assertThat(target).hasContent("keep me");
    } finally {
      Files.deleteIfExists(target);
    }
  }
}
