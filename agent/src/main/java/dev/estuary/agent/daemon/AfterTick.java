package dev.estuary.agent.daemon;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/** Work the daemon does after each renewal step (registering with the provisioning service). */
public interface AfterTick {

  /**
   * Does whatever is due now; reports failures itself (log, state), never by throwing, except for
   * local I/O.
   */
  void run() throws IOException;

  /** When this work next needs the daemon awake, if it has anything scheduled. */
  Optional<Instant> nextWakeUp();
}
