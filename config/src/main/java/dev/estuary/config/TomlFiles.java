package dev.estuary.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

/** Reads a TOML file, reporting a missing or unreadable file and each syntax error as a problem. */
public final class TomlFiles {
  private TomlFiles() {}

  /**
   * The parsed document, or empty when it cannot be read or parsed. A syntax error is reported at
   * {@code file-name:line:column}; a file that cannot be read at the file's path.
   */
  public static Optional<TomlParseResult> read(Path file, Problems problems) {
    if (Files.notExists(file)) {
      problems.error(file.toString(), "does not exist");
      return Optional.empty();
    }
    if (Files.isDirectory(file)) {
      problems.error(file.toString(), "is a directory, not a file");
      return Optional.empty();
    }
    String name = String.valueOf(file.getFileName());
    TomlParseResult toml;
    try {
      toml = Toml.parse(file);
    } catch (AccessDeniedException e) {
      problems.error(file.toString(), "cannot be read by this user (permission denied)");
      return Optional.empty();
    } catch (IOException e) {
      problems.error(file.toString(), "cannot be read: " + e.getMessage());
      return Optional.empty();
    } catch (RuntimeException | AssertionError e) {
      // tomlj's own failure on malformed input (found by ServerConfigFuzzTest: "[es#\b\0..."
      // trips an internal assertion): still a syntax problem of the file, not a crash.
      problems.error(name, "TOML syntax: the file cannot be parsed (" + e.getMessage() + ")");
      return Optional.empty();
    }
    if (toml.hasErrors()) {
      for (TomlParseError e : toml.errors()) {
        problems.error(
            name + ":" + e.position().line() + ":" + e.position().column(), e.getMessage());
      }
      return Optional.empty();
    }
    return Optional.of(toml);
  }
}
