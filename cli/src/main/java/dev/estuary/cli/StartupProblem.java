package dev.estuary.cli;

import dev.estuary.server.config.ServerConfig;
import java.net.BindException;

/** Turns what stopped the server from starting into one sentence an operator can act on. */
final class StartupProblem {
  private StartupProblem() {}

  static String explain(Throwable e, ServerConfig cfg) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return "a port is already in use (EST " + cfg.est() + ", admin " + cfg.admin()
            + "): is another server running? Choose others with --est-port/--admin-port or [est]/[admin] listen";
      }
      String m = String.valueOf(t.getMessage());
      if (m.contains("Database may be already in use") || m.contains("The file is locked")) {
        return "the database " + cfg.database().url().replaceAll(";.*", "")
            + " is in use by another process: is another estuary server running on this data directory?";
      }
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return e.getMessage() + (root != e ? " (cause: " + root + ")" : "");
  }
}
