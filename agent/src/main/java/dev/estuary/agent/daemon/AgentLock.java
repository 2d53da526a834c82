package dev.estuary.agent.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One agent per state directory: an exclusive lock on {@code <state_dir>/agent.lock}, held for the
 * life of the process (the operating system releases it when the process dies, even by {@code kill
 * -9}). The file holds the holder's pid, for messages.
 */
public final class AgentLock implements AutoCloseable {
  /** The lock file's name in the state directory. */
  public static final String NAME = "agent.lock";

  /**
   * The lock files this process holds. A file lock belongs to the whole process: a second channel
   * on a locked file cannot lock it again (the JDK throws), and closing that channel would drop the
   * process's lock on Linux (POSIX record locks), letting another agent in.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private AgentLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, or returns empty when another process (or this one already) holds it.
   *
   * @throws IOException also when {@code agent.lock} is a symbolic link (never followed)
   */
  public static Optional<AgentLock> tryAcquire(Path stateDir) throws IOException {
    Path file = stateDir.toRealPath().resolve(NAME);
    if (!HELD.add(file)) {
      return Optional.empty();
    }
    FileChannel channel = null;
    try {
      if (Files.isSymbolicLink(file)) {
        throw new IOException(
            file + " is a symbolic link; the agent does not follow it (remove it)");
      }
      // NOFOLLOW as well: a link planted between the look and the open is refused by the kernel.
      channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        HELD.remove(file);
        return Optional.empty();
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      return Optional.of(new AgentLock(file, channel, lock));
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      HELD.remove(file);
      throw e;
    }
  }

  /** Whether some process holds the lock now, this one included. */
  public static boolean isHeld(Path stateDir) throws IOException {
    if (Files.notExists(stateDir.resolve(NAME), LinkOption.NOFOLLOW_LINKS)) {
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
    if (!channel.isOpen()) {
      return;
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Released by the OS when the process ends anyway.
    } finally {
      HELD.remove(file);
    }
  }
}
