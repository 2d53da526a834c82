package dev.estuary.cli;

import dev.estuary.server.install.Backup;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code estuary server backup}: keys, passphrase, server.toml and a consistent database copy in
 * one file.
 */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Writes a data directory's server.toml, keys, passphrase and database to one file (0600).",
      "The database copy is consistent (PostgreSQL: while the server runs; H2: stop the server first).",
      "The file holds private keys and their passphrase: keep it safe."
    })
final class BackupCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      required = true,
      paramLabel = "DIR",
      description = "The data directory (with its server.toml).")
  Path dataDir;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The backup file to write (must not exist).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Backup.Outcome o;
    try {
      o = Backup.backup(dataDir, out);
    } catch (IllegalArgumentException e) {
      System.err.println("estuary server backup: " + e.getMessage());
      return 1;
    }
    o.warnings().forEach(w -> System.err.println("estuary server backup: warning: " + w));
    System.out.println(
        "backed up "
            + dataDir.toAbsolutePath().normalize()
            + " to "
            + out.toAbsolutePath().normalize()
            + ": "
            + o.files().size()
            + " files, database schema "
            + o.database().schemaVersion()
            + " "
            + o.database().rows());
    return 0;
  }
}
