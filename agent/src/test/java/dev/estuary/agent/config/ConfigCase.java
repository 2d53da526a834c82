package dev.estuary.agent.config;

import dev.estuary.agent.testing.TestCa;
import dev.estuary.config.testing.CaseFolders;
import dev.estuary.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One folder under {@code config-cases/} (on the agent's test class path, also published in its
 * test-jar for the command-line tests; found through {@link CaseFolders}), made real in a
 * directory:
 *
 * <ul>
 *   <li>{@code config.toml}: the input; {@code ${CASE_DIR}} stands for the folder the case is
 *       copied to.
 *   <li>{@code setup.txt}: the files the configuration refers to, made in that folder, one command
 *       a line: {@code file PATH MODE} (an empty-looking PEM file with that octal mode), {@code dir
 *       PATH}, {@code chmod MODE PATH}, {@code keypair CERT KEY} (a real key, mode 0600, and a
 *       certificate for it, 0644), {@code garbage PATH MODE} (text that is no PEM at all); {@code
 *       #} starts a comment.
 *   <li>{@code expected.txt}: exactly the problem lines, in order ({@code warning: } for warnings);
 *       empty for a file without problems. A case is valid when no line is an error.
 *   <li>{@code effective.toml} (valid cases, optional): the report {@link EffectiveConfig} writes.
 *   <li>{@code expected-contents.txt} (valid cases, optional): what {@code config apply} reports
 *       beyond the parser, from reading the certificate and key files ({@code CredentialContents});
 *       {@code ${CASE_DIR}} as in config.toml.
 * </ul>
 *
 * @param source the case's folder
 * @param dir where it was made: holds {@code config.toml} and the files of {@code setup.txt}
 */
public record ConfigCase(Path source, Path dir) {
  /** Every case's name, sorted. */
  public static List<String> names() throws IOException {
    return folders().names();
  }

  /** Makes case {@code name} real in {@code dir}: config.toml and the files it refers to. */
  public static ConfigCase make(String name, Path dir) throws IOException {
    Path source = folders().source(name);
    Files.createDirectories(dir);
    ConfigCase c = new ConfigCase(source, dir);
    Files.writeString(c.config(), CaseFolders.read(source, "config.toml", dir));
    c.setUp();
    return c;
  }

  /** The configuration file to parse. */
  public Path config() {
    return dir.resolve("config.toml");
  }

  /** The expected problem lines, in order. */
  public List<String> expected() throws IOException {
    return CaseFolders.expected(source, dir);
  }

  /** The case's {@code name} file with {@code ${CASE_DIR}} replaced, if it has one. */
  public Optional<String> optional(String name) throws IOException {
    return CaseFolders.optional(source, name, dir);
  }

  private static CaseFolders folders() throws IOException {
    return CaseFolders.of(ConfigCase.class, "config-cases");
  }

  private void setUp() throws IOException {
    Path setup = source.resolve("setup.txt");
    if (!Files.exists(setup)) {
      return;
    }
    for (String line : Files.readAllLines(setup, StandardCharsets.UTF_8)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] w = l.split("\\s+");
      switch (w[0]) {
        case "file" -> {
          Path f = dir.resolve(w[1]);
          Files.createDirectories(f.getParent());
          Files.writeString(
              f, "-----BEGIN PLACEHOLDER-----\nconfig test file\n-----END PLACEHOLDER-----\n");
          Files.setPosixFilePermissions(f, mode(w[2]));
        }
        case "dir" -> Files.createDirectories(dir.resolve(w[1]));
        case "keypair" -> keypair(dir.resolve(w[1]), dir.resolve(w[2]));
        case "garbage" -> {
          Path f = dir.resolve(w[1]);
          Files.createDirectories(f.getParent());
          Files.writeString(f, "this is not a key: the file was copied from the wrong place\n");
          Files.setPosixFilePermissions(f, mode(w[2]));
        }
        case "chmod" -> Files.setPosixFilePermissions(dir.resolve(w[2]), mode(w[1]));
        default ->
            throw new IllegalArgumentException(setup + ": unknown setup command '" + w[0] + "'");
      }
    }
  }

  private static TestCa ca;

  /** A new key (0600) and a certificate for it from a test CA (0644). */
  private static void keypair(Path cert, Path key) throws IOException {
    synchronized (ConfigCase.class) {
      if (ca == null) {
        ca = new TestCa("Config Case CA");
      }
    }
    KeyPair pair = TestCa.newKey();
    Files.createDirectories(cert.getParent());
    Files.createDirectories(key.getParent());
    Files.writeString(cert, Pem.encode(ca.client("config-case", pair.getPublic())));
    Files.setPosixFilePermissions(cert, mode("644"));
    Files.writeString(key, Pem.encode(pair.getPrivate()));
    Files.setPosixFilePermissions(key, mode("600"));
  }

  /** "640" → rw-r-----. */
  private static Set<PosixFilePermission> mode(String octal) {
    int m = Integer.parseInt(octal, 8);
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : PosixFilePermission.values()) {
      if ((m & (1 << (8 - p.ordinal()))) != 0) {
        perms.add(p);
      }
    }
    return perms;
  }
}
