package dev.estuary.config.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Fixture folders of configuration cases ({@code config-cases/<case>/}: the file to parse and
 * {@code expected.txt}, its problem lines in order) on a test class path, in a module's own tests
 * or from its test-jar in another's. The agent's {@code ConfigCase} and the server's {@code
 * ServerConfigCase} stand on it; {@code ${CASE_DIR}} in a case's files stands for the directory the
 * case is made real in.
 *
 * @param root the folder holding one folder per case
 */
public record CaseFolders(Path root) {
  /** The token replaced by the directory a case is made in. */
  public static final String CASE_DIR = "${CASE_DIR}";

  /**
   * The folders under resource {@code /name} of the jar or directory {@code anchor} was loaded
   * from: the agent's and the server's test-jars both hold a {@code config-cases/}, and the command
   * line's tests see both.
   */
  public static CaseFolders of(Class<?> anchor, String name) throws IOException {
    String home = anchor.getProtectionDomain().getCodeSource().getLocation().toString();
    URL url = null;
    for (URL u : Collections.list(anchor.getClassLoader().getResources(name))) {
      if (u.toString().contains(home)) {
        url = u;
      }
    }
    if (url == null) {
      throw new IOException(name + " is not on the test class path next to " + anchor.getName());
    }
    try {
      URI uri = url.toURI();
      if (uri.getScheme().equals("jar")) { // from a test-jar, in another module's tests
        try {
          FileSystems.getFileSystem(uri);
        } catch (FileSystemNotFoundException notOpenYet) {
          FileSystems.newFileSystem(uri, Map.of());
        }
      }
      return new CaseFolders(Path.of(uri));
    } catch (URISyntaxException e) {
      throw new IOException(name + ": " + url + " is not a URI", e);
    }
  }

  /** Every case's name, sorted. */
  public List<String> names() throws IOException {
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
    }
  }

  /** The folder of case {@code name}. */
  public Path source(String name) {
    return root.resolve(name);
  }

  /**
   * File {@code file} of the case folder {@code source}, {@code ${CASE_DIR}} replaced by {@code
   * dir}.
   */
  public static String read(Path source, String file, Path dir) throws IOException {
    return Files.readString(source.resolve(file), StandardCharsets.UTF_8)
        .replace(CASE_DIR, dir.toString());
  }

  /** Like {@link #read}, empty when the case has no such file. */
  public static Optional<String> optional(Path source, String file, Path dir) throws IOException {
    return Files.exists(source.resolve(file))
        ? Optional.of(read(source, file, dir))
        : Optional.empty();
  }

  /** The non-blank lines of {@code expected.txt}, in order. */
  public static List<String> expected(Path source, Path dir) throws IOException {
    return read(source, "expected.txt", dir).lines().filter(l -> !l.isBlank()).toList();
  }
}
