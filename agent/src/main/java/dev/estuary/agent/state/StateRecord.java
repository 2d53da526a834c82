package dev.estuary.agent.state;

import java.io.IOException;
import java.util.Optional;

/**
 * One record of the state file, as its one owner sees it: read it, replace it (durably, with the
 * rest of the file). The state file hands each owner the record it writes and no other.
 *
 * @param <T> the record
 */
public interface StateRecord<T> {

  /** The record as last saved (or loaded), if there is one. */
  Optional<T> get();

  /** Replaces the record; durable on return (the whole file is rewritten atomically). */
  void save(T value) throws IOException;
}
