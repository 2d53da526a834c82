package dev.estuary.agent.store;

import dev.estuary.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's directories ({@code state_dir}, {@code keys/}, {@code certs/}): created with their
 * mode when missing; when they exist with a mode that lets others write in them (or, for a private
 * directory, look in them), repaired with one line in the log — or refused, when the directory
 * belongs to another user, since then the agent cannot know who else writes there.
 */
public final class PrivateDirectories {
  private static final Logger log = LoggerFactory.getLogger(PrivateDirectories.class);
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> OTHERS_WRITE =
      EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  private PrivateDirectories() {}

  /** {@code dir} exists with mode 0700 (nobody but the agent's user may list or write it). */
  public static Path ensurePrivate(Path dir) throws IOException {
    return ensure(dir, "rwx------");
  }

  /**
   * {@code dir} exists, and nobody but its owner may do more in it than {@code mode} allows (e.g.
   * {@code rwxr-xr-x}: others may read, only the owner write).
   *
   * @throws IOException when it cannot be created or repaired, or belongs to another user
   */
  public static Path ensure(Path dir, String mode) throws IOException {
    if (Files.notExists(dir, LinkOption.NOFOLLOW_LINKS)) {
      AtomicFiles.createPrivateDirectory(dir, mode);
      return dir;
    }
    if (!POSIX) {
      return dir;
    }
    Set<PosixFilePermission> wanted = PosixFilePermissions.fromString(mode);
    Set<PosixFilePermission> actual = Files.getPosixFilePermissions(dir);
    Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
    extra.addAll(actual);
    extra.removeAll(wanted);
    extra.removeIf(p -> p.name().startsWith("OWNER"));
    boolean othersWrite = extra.stream().anyMatch(OTHERS_WRITE::contains);
    boolean tooOpen =
        wanted.stream().noneMatch(p -> !p.name().startsWith("OWNER"))
            ? !extra.isEmpty()
            : othersWrite;
    if (!tooOpen) {
      return dir;
    }
    String owner = Files.getOwner(dir).getName();
    String me = System.getProperty("user.name");
    if (!owner.equals(me)) {
      throw new IOException(
          dir
              + " is "
              + PosixFilePermissions.toString(actual)
              + " and belongs to "
              + owner
              + ", not to "
              + me
              + ": others may change what the agent keeps there; make it "
              + mode
              + " (chmod) or choose another state_dir");
    }
    Files.setPosixFilePermissions(dir, wanted);
    log.warn(
        "{} was {}: others could {} it; set to {}",
        dir,
        PosixFilePermissions.toString(actual),
        othersWrite ? "write in" : "look in",
        mode);
    return dir;
  }
}
