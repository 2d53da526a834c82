package dev.estuary.server.config;

import dev.estuary.config.testing.CaseFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * One folder under {@code config-cases/} of the server's tests, made real in a directory:
 *
 * <ul>
 *   <li>{@code server.toml}: the input; {@code ${CASE_DIR}} stands for the directory the case is
 *       made in.
 *   <li>{@code expected.txt}: exactly the problem lines of the {@link ConfigException}, in order;
 *       empty for a file the parser accepts.
 *   <li>any other file (e.g. {@code secrets/db-password}): copied along, for the paths server.toml
 *       names.
 * </ul>
 *
 * @param source the case's folder
 * @param dir where it was made: holds {@code server.toml} and the other files
 */
public record ServerConfigCase(Path source, Path dir) {

  /** Every case's name, sorted. */
  public static List<String> names() throws IOException {
    return folders().names();
  }

  /** Makes case {@code name} real in {@code dir}. */
  public static ServerConfigCase make(String name, Path dir) throws IOException {
    Path source = folders().source(name);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(source)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path f : files) {
      String relative = source.relativize(f).toString();
      if (relative.equals("expected.txt")) {
        continue;
      }
      Path target = dir.resolve(relative);
      Files.createDirectories(target.getParent());
      Files.writeString(target, CaseFolders.read(source, relative, dir));
    }
    return new ServerConfigCase(source, dir);
  }

  /** The configuration file to parse. */
  public Path config() {
    return dir.resolve("server.toml");
  }

  /** The expected problem lines, in order. */
  public List<String> expected() throws IOException {
    return CaseFolders.expected(source, dir);
  }

  private static CaseFolders folders() throws IOException {
    return CaseFolders.of(ServerConfigCase.class, "config-cases");
  }
}
