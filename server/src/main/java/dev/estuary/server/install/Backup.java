package dev.estuary.server.install;

import dev.estuary.files.AtomicFiles;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.store.Database;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * {@code estuary server backup} and {@code restore}: one file (a zip, mode 0600) with everything a
 * server needs to come back: the data directory's files (server.toml, the keystore and its
 * passphrase, the database password file, root-ca.pem, and the offline keys while they are still
 * there) and a consistent {@link DatabaseDump} of its database. The H2 files in {@code db/} are not
 * copied as files: the dump replaces them. Restore writes a new data directory (never an existing
 * one with anything in it) and loads the dump into an empty database: the H2 one the restored
 * server.toml names, or a PostgreSQL database given instead.
 */
public final class Backup {
  /** The dump's name inside the archive. */
  static final String DUMP = "database.json";

  private static final Pattern SECTION = Pattern.compile("^\\s*\\[([^\\]]+)\\]\\s*(#.*)?$");

  private Backup() {}

  /** What a backup or restore did. */
  public record Outcome(List<String> files, DatabaseDump.Summary database, List<String> warnings) {}

  /**
   * Backs up {@code dataDir} (its server.toml names the database) into {@code out}.
   *
   * @throws IllegalArgumentException when {@code out} exists or the data directory has no
   *     server.toml
   */
  public static Outcome backup(Path dataDir, Path out) throws Exception {
    Path dir = dataDir.toAbsolutePath().normalize();
    Path config = dir.resolve(ServerInit.CONFIG);
    if (!Files.isRegularFile(config)) {
      throw new IllegalArgumentException(dir + " has no server.toml: not a data directory");
    }
    if (Files.exists(out)) {
      throw new IllegalArgumentException(out + " exists: backup never overwrites a file");
    }
    ServerConfig cfg = ServerConfigParser.parse(config);
    List<String> warnings = outsideFiles(cfg, dir);
    List<String> files = new ArrayList<>();
    Path target = out.toAbsolutePath().normalize();
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    Files.createFile(
        partial,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    DatabaseDump.Summary summary;
    try (ZipOutputStream z =
        new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(partial)))) {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
          String rel = dir.relativize(f).toString().replace('\\', '/');
          if (rel.startsWith("db/")) {
            continue; // the H2 files: the dump below is their consistent copy
          }
          z.putNextEntry(new ZipEntry("files/" + rel));
          Files.copy(f, z);
          z.closeEntry();
          files.add(rel);
        }
      }
      z.putNextEntry(new ZipEntry(DUMP));
      summary = dump(cfg, z);
      z.closeEntry();
    } catch (Exception | Error e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    return new Outcome(files, summary, warnings);
  }

  private static DatabaseDump.Summary dump(ServerConfig cfg, OutputStream z)
      throws SQLException, IOException {
    ServerConfig.Database db = cfg.database();
    try (Database database = openExisting(db)) {
      return DatabaseDump.dump(database.dataSource(), new NonClosing(z));
    }
  }

  private static Database openExisting(ServerConfig.Database db) {
    try {
      return Database.open(db.url(), db.user(), db.password(), 2);
    } catch (RuntimeException e) {
      String m = rootMessage(e);
      if (m.contains("Database may be already in use") || m.contains("The file is locked")) {
        throw new IllegalArgumentException(
            "the H2 database "
                + db.url().replaceAll(";.*", "")
                + " is open in a running server: H2 allows one process,"
                + " so stop the server for the backup (PostgreSQL is backed up while it runs)",
            e);
      }
      throw new IllegalArgumentException(
          "cannot open the database " + db.url().replaceAll(";.*", "") + ": " + m, e);
    }
  }

  /**
   * Restores {@code from} into the new data directory {@code dataDir}. With {@code databaseUrl},
   * the dump goes into that (empty) database and the restored server.toml is pointed at it (with
   * {@code databaseUser} and the password in {@code databasePasswordFile}, copied into keys/);
   * without, into the database the backed-up server.toml names (for H2: a new one in the new
   * directory).
   */
  public static Outcome restore(
      Path from, Path dataDir, String databaseUrl, String databaseUser, Path databasePasswordFile)
      throws Exception {
    Path dir = dataDir.toAbsolutePath().normalize();
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException(
              dir + " already exists and is not empty: restore writes a new data directory");
        }
      }
    }
    if (!Files.isRegularFile(from)) {
      throw new IllegalArgumentException("no backup file " + from);
    }
    if (databaseUrl != null && databasePasswordFile == null) {
      throw new IllegalArgumentException("--postgres-password-file is needed with --postgres-url");
    }
    AtomicFiles.createPrivateDirectory(dir, "rwx------");
    List<String> files = new ArrayList<>();
    boolean dumpSeen = false;
    try (ZipInputStream z = new ZipInputStream(Files.newInputStream(from))) {
      for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
        if (e.getName().startsWith("files/") && !e.isDirectory()) {
          String rel = e.getName().substring("files/".length());
          Path target = dir.resolve(rel).normalize();
          if (!target.startsWith(dir) || rel.isEmpty()) {
            throw new IllegalArgumentException(
                "the backup names a file outside the data directory: " + e.getName());
          }
          createPrivateParents(dir, target.getParent());
          AtomicFiles.write(
              target, z.readAllBytes(), rel.endsWith(".pem") ? "rw-r--r--" : "rw-------");
          files.add(rel);
        } else if (e.getName().equals(DUMP)) {
          dumpSeen = true;
          break; // written last: everything else is out
        }
      }
      if (!dumpSeen) {
        throw new IllegalArgumentException(from + " is not an Estuary backup: it holds no " + DUMP);
      }
      Path config = dir.resolve(ServerInit.CONFIG);
      if (!Files.isRegularFile(config)) {
        throw new IllegalArgumentException(
            from + " is not an Estuary backup: it holds no server.toml");
      }
      if (databaseUrl != null) {
        String password = Files.readString(databasePasswordFile).strip();
        AtomicFiles.write(
            dir.resolve(ServerInit.DB_PASSWORD),
            (password + "\n").getBytes(StandardCharsets.UTF_8),
            "rw-------");
        Files.writeString(
            config,
            pointAt(Files.readString(config), databaseUrl, databaseUser, ServerInit.DB_PASSWORD));
      }
      ServerConfig cfg = ServerConfigParser.parse(config);
      if (cfg.database().url().startsWith("jdbc:h2:")) {
        AtomicFiles.createPrivateDirectory(dir.resolve("db"), "rwx------");
      }
      ServerConfig.Database db = cfg.database();
      DatabaseDump.Summary summary;
      try (Database database = Database.open(db.url(), db.user(), db.password(), 2)) {
        summary = DatabaseDump.load(database.dataSource(), new NonClosingIn(z));
      }
      return new Outcome(files, summary, List.of());
    }
  }

  /** server.toml with its [database] url, user and password_file replaced (other keys kept). */
  static String pointAt(String toml, String url, String user, String passwordFile) {
    StringBuilder out = new StringBuilder();
    String section = "";
    boolean wrote = false;
    for (String line : toml.split("\n", -1)) {
      Matcher m = SECTION.matcher(line);
      if (m.matches()) {
        if (section.equals("database") && !wrote) {
          out.append(databaseKeys(url, user, passwordFile));
          wrote = true;
        }
        section = m.group(1).strip();
      } else if (section.equals("database")
          && line.matches("\\s*(url|user|password|password_file)\\s*=.*")) {
        if (!wrote) {
          out.append(databaseKeys(url, user, passwordFile));
          wrote = true;
        }
        continue;
      }
      out.append(line).append('\n');
    }
    if (!wrote) {
      out.append(section.equals("database") ? "" : "\n[database]\n")
          .append(databaseKeys(url, user, passwordFile));
    }
    String s = out.toString();
    return s.endsWith("\n\n") && !toml.endsWith("\n\n") ? s.substring(0, s.length() - 1) : s;
  }

  private static String databaseKeys(String url, String user, String passwordFile) {
    return "url = \""
        + url
        + "\"          # set by estuary server restore\nuser = \""
        + user
        + "\"\npassword_file = \""
        + passwordFile
        + "\"\n";
  }

  /** Files server.toml names outside the data directory: not in the backup. */
  private static List<String> outsideFiles(ServerConfig cfg, Path dir) {
    List<String> out = new ArrayList<>();
    for (Path p : new Path[] {cfg.keys().keystore(), cfg.keys().passphraseFile()}) {
      if (p != null && !p.toAbsolutePath().normalize().startsWith(dir)) {
        out.add(
            p
                + " (named in server.toml) is outside "
                + dir
                + " and not in the backup: keep a copy of it too");
      }
    }
    return out;
  }

  private static void createPrivateParents(Path dir, Path parent) throws IOException {
    if (parent.equals(dir) || Files.isDirectory(parent)) {
      return;
    }
    createPrivateParents(dir, parent.getParent());
    Files.createDirectory(
        parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }

  /** The zip entry stays open when the JSON writer closes its stream. */
  private static final class NonClosing extends OutputStream {
    private final OutputStream out;

    NonClosing(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }
  }

  /** The zip entry is read, not closed, by the JSON parser. */
  private static final class NonClosingIn extends InputStream {
    private final InputStream in;

    NonClosingIn(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, len);
    }
  }
}
