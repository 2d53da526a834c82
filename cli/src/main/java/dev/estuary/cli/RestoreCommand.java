package dev.estuary.cli;

import dev.estuary.server.install.Backup;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code estuary server restore}: a backup into a new data directory and an empty database. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restores a backup into a new data directory and an empty database.",
      "The data directory must be absent or empty; the database is a new H2 one in the directory, the PostgreSQL database",
      "the backed-up server.toml names, or the one --postgres-url names."
    })
final class RestoreCommand implements Callable<Integer> {
  @Option(
      names = "--from",
      required = true,
      paramLabel = "FILE",
      description = "The backup file (estuary server backup --out).")
  Path from;

  @Option(
      names = "--data-dir",
      required = true,
      paramLabel = "DIR",
      description = "The new data directory.")
  Path dataDir;

  @Option(
      names = "--postgres-url",
      paramLabel = "URL",
      description = "An empty PostgreSQL database to restore into; server.toml is pointed at it.")
  String postgresUrl;

  @Option(
      names = "--postgres-user",
      paramLabel = "USER",
      defaultValue = "estuary",
      description = "Its role (default: ${DEFAULT-VALUE}).")
  String postgresUser;

  @Option(
      names = "--postgres-password-file",
      paramLabel = "FILE",
      description = "File holding the role's password (copied into DIR/keys).")
  Path postgresPasswordFile;

  @Override
  public Integer call() throws Exception {
    Backup.Outcome o;
    try {
      o = Backup.restore(from, dataDir, postgresUrl, postgresUser, postgresPasswordFile);
    } catch (IllegalArgumentException e) {
      System.err.println("estuary server restore: " + e.getMessage());
      return 1;
    }
    Path config = dataDir.toAbsolutePath().normalize().resolve("server.toml");
    System.out.println(
        "restored "
            + o.files().size()
            + " files and database schema "
            + o.database().schemaVersion()
            + " "
            + o.database().rows()
            + " into "
            + dataDir.toAbsolutePath().normalize());
    System.out.println("Start: estuary server --config " + config);
    return 0;
  }
}
