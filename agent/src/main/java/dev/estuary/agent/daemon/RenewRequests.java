package dev.estuary.agent.daemon;

import dev.estuary.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code estuary agent renew ID --now} reaches a running daemon: a file {@code
 * <state_dir>/requests/renew.<id>}, which the daemon picks up within a second, acts on, and
 * removes.
 */
public final class RenewRequests {
  static final String DIR = "requests";
  private static final String PREFIX = "renew.";

  private RenewRequests() {}

  /** Leaves a request to renew {@code id}. */
  public static void submit(Path stateDir, String id) throws IOException {
    AtomicFiles.write(stateDir.resolve(DIR).resolve(PREFIX + id), new byte[0], "rw-------");
  }

  /** Takes every pending request: returns the ids and removes the files. */
  static List<String> take(Path stateDir) throws IOException {
    Path dir = stateDir.resolve(DIR);
    List<String> ids = new ArrayList<>();
    if (Files.notExists(dir)) {
      return ids;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*")) {
      for (Path f : files) {
        ids.add(f.getFileName().toString().substring(PREFIX.length()));
        Files.deleteIfExists(f);
      }
    }
    return ids;
  }
}
