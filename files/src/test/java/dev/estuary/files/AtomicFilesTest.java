package dev.estuary.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void writesTheContentWithTheGivenModeAndLeavesNoTemporaryFile() throws Exception {
    Path target = dir.resolve("key.pem");

    AtomicFiles.write(target, "secret".getBytes(StandardCharsets.UTF_8), "rw-------");

    assertThat(Files.readString(target)).isEqualTo("secret");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
        .isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void replacesAnExistingFileWhole() throws Exception {
    Path target = dir.resolve("cert.pem");
    Files.writeString(target, "old content that is longer than the new one");

    AtomicFiles.write(target, "new".getBytes(StandardCharsets.UTF_8), "rw-r--r--");

    assertThat(Files.readString(target)).isEqualTo("new");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void createsMissingParentDirectories() throws Exception {
    Path target = dir.resolve("a/b/state.json");

    AtomicFiles.write(target, "{}".getBytes(StandardCharsets.UTF_8), null);

    assertThat(Files.readString(target)).isEqualTo("{}");
  }

  @Test
  void aPrivateDirectoryIsOwnerOnly() throws Exception {
    Path keys = dir.resolve("keys");

    AtomicFiles.createPrivateDirectory(keys, "rwx------");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)))
        .isEqualTo("rwx------");
  }
}
