package dev.estuary.agent.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Replaces a file so that a reader sees the old content or the new one, never a mix: a temporary
 * file in the same directory, fsync, rename over the target, fsync of the directory.
 */
final class AtomicFile {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private AtomicFile() {}

  /**
   * Writes {@code content} to {@code target}, creating the directory (mode {@code dirMode}) when
   * missing.
   *
   * @param fileMode e.g. {@code "rw-r--r--"}
   * @param dirMode e.g. {@code "rwx------"}
   */
  static void write(Path target, byte[] content, String fileMode, String dirMode) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (Files.notExists(dir)) {
      Files.createDirectories(dir);
      if (POSIX) {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(dirMode));
      }
    }
    String prefix = "." + target.getFileName() + ".";
    Path tmp =
        POSIX
            ? Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(fileMode)))
            : Files.createTempFile(dir, prefix, ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          ch.write(buffer);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot open or sync a directory; the rename is atomic all the same.
    }
  }
}
