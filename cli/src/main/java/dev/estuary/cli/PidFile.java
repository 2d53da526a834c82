package dev.estuary.cli;

import dev.estuary.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code server.pid} in a server's data directory: written once it serves, removed when it stops.
 */
final class PidFile {
  static final String NAME = "server.pid";
  private final Path file;

  PidFile(Path directory) {
    this.file = directory.resolve(NAME);
  }

  Path path() {
    return file;
  }

  void write() throws IOException {
    AtomicFiles.write(
        file,
        (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII),
        "rw-r--r--");
  }

  /** The pid written there, if the file exists and holds one. */
  Optional<Long> read() {
    try {
      return Optional.of(Long.parseLong(Files.readString(file).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The running estuary process the file names; empty (and the file removed) when it is stale. */
  Optional<ProcessHandle> running() {
    Optional<ProcessHandle> p =
        read()
            .flatMap(ProcessHandle::of)
            .filter(ProcessHandle::isAlive)
            .filter(h -> h.info().commandLine().map(c -> c.contains("estuary")).orElse(true));
    if (p.isEmpty()) {
      delete();
    }
    return p;
  }

  void deleteIfOurs() {
    if (read().filter(pid -> pid == ProcessHandle.current().pid()).isPresent()) {
      delete();
    }
  }

  private void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a stale file is harmless: the next reader checks the process
    }
  }
}
