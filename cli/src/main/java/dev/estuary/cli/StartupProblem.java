package dev.estuary.cli;

import dev.estuary.server.config.ServerConfig;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Turns what stopped the server from starting into one sentence an operator can act on. */
final class StartupProblem {
  private StartupProblem() {}

  static String explain(Throwable e, ServerConfig cfg) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NoSuchFileException || t instanceof AccessDeniedException) {
        String file = ((FileSystemException) t).getFile();
        String missing =
            t instanceof NoSuchFileException ? " does not exist" : " is not readable by this user";
        ServerConfig.KeySource keys = cfg.keys();
        if (keys != null && same(file, keys.passphraseFile())) {
          return "the "
              + (keys.onToken() ? "PKCS#11 PIN" : "keystore passphrase")
              + " file "
              + abs(file)
              + " ([keys] passphrase_file in "
              + cfg.baseDir()
              + "/server.toml)"
              + missing;
        }
        if (keys != null && same(file, keys.keystore())) {
          return "the keystore "
              + abs(file)
              + " ([keys] keystore in "
              + cfg.baseDir()
              + "/server.toml)"
              + missing;
        }
        return "the file " + abs(file) + missing;
      }
      if (t instanceof BindException) {
        return "a port is already in use (EST "
            + cfg.est()
            + ", admin "
            + cfg.admin()
            + "): is another server running? Choose others with --est-port/--admin-port or [est]/[admin] listen";
      }
      String m = String.valueOf(t.getMessage());
      if (m.contains("Database may be already in use") || m.contains("The file is locked")) {
        return "the database "
            + cfg.database().url().replaceAll(";.*", "")
            + " is in use by another process: is another estuary server running on this data directory?";
      }
    }
    return OneLineErrors.sentence(e);
  }

  private static boolean same(String file, Path configured) {
    return file != null
        && configured != null
        && Path.of(file)
            .toAbsolutePath()
            .normalize()
            .equals(configured.toAbsolutePath().normalize());
  }

  private static String abs(String file) {
    return Path.of(file).toAbsolutePath().normalize().toString();
  }
}
