package dev.estuary.cli.factory;

import dev.estuary.files.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code manifest.csv}: one row per device made, {@code id,serial,sha256,not_after}, appended and
 * synced to disk as each device is finished, so a batch killed at any moment leaves a manifest
 * whose every complete row names a device whose files are complete. A resumed batch rewrites it
 * (atomically) from the devices found on disk: a torn last line or a stale row goes away.
 */
final class Manifest implements AutoCloseable {
  static final String HEADER = "id,serial,sha256,not_after";

  /** One device of the manifest. */
  record Row(String id, String serial, String sha256, String notAfter) {
    String line() {
      return id + "," + serial + "," + sha256 + "," + notAfter;
    }

    static Row parse(String line) {
      String[] f = line.split(",", -1);
      return f.length == 4 ? new Row(f[0], f[1], f[2], f[3]) : null;
    }
  }

  private final FileChannel out;

  private Manifest(FileChannel out) {
    this.out = out;
  }

  /** The rows of an existing manifest by id (later rows win; torn or foreign lines skipped). */
  static Map<String, Row> read(Path file) throws IOException {
    Map<String, Row> rows = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return rows;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      Row r = Row.parse(line.strip());
      if (r != null && !line.strip().equals(HEADER)) {
        rows.put(r.id(), r);
      }
    }
    return rows;
  }

  /** Rewrites {@code file} atomically with {@code rows}, then opens it for appending. */
  static Manifest start(Path file, Collection<Row> rows) throws IOException {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    for (Row r : rows) {
      text.append(r.line()).append('\n');
    }
    AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8), "rw-r--r--");
    return new Manifest(FileChannel.open(file, StandardOpenOption.APPEND));
  }

  /** Appends one row and syncs it to disk before returning. */
  synchronized void append(Row row) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap((row.line() + "\n").getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) {
      out.write(buf);
    }
    out.force(false);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
