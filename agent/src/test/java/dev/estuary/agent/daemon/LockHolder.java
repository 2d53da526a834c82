package dev.estuary.agent.daemon;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A process of its own for {@link AgentLockTest} (file locks belong to processes): tries to take
 * the agent lock of the state directory in {@code args[0]}, prints {@code locked} or {@code
 * refused}, and holds what it got until its standard input is closed.
 */
public final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    Optional<AgentLock> lock = AgentLock.tryAcquire(Path.of(args[0]));
    System.out.println(lock.isPresent() ? "locked" : "refused");
    System.out.flush();
    while (System.in.read() >= 0) {
      // hold the lock until the test closes our input
    }
    lock.ifPresent(AgentLock::close);
  }
}
