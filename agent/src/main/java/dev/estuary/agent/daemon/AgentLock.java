package dev.estuary.agent.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One agent per state directory: an exclusive lock on {@code <state_dir>/agent.lock}, held for the
 * life of the process (the operating system releases it when the process dies, even by {@code kill
 * -9}). The file holds the holder's pid, for messages.
 */
public final class AgentLock implements AutoCloseable {
  /** The lock file's name in the state directory. */
  public static final String NAME = "agent.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private AgentLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock, or returns empty when another process holds it. */
  public static Optional<AgentLock> tryAcquire(Path stateDir) throws IOException {
    Path file = stateDir.resolve(NAME);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      return Optional.empty();
    }
    channel.truncate(0);
    channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
    return Optional.of(new AgentLock(channel, lock));
  }

  /** Whether some process holds the lock now (this one excepted: a process asking holds none). */
  public static boolean isHeld(Path stateDir) throws IOException {
    if (Files.notExists(stateDir.resolve(NAME))) {
      return false;
    }
    Optional<AgentLock> probe = tryAcquire(stateDir);
    probe.ifPresent(AgentLock::close);
    return probe.isEmpty();
  }

  /** The pid written by the holder, if readable. */
  public static Optional<Long> holder(Path stateDir) {
    try {
      return Optional.of(Long.parseLong(Files.readString(stateDir.resolve(NAME)).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Released by the OS when the process ends anyway.
    }
  }
}
