package dev.estuary.server.store;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Recognizes a failure that means the database cannot be reached right now (stopped, restarting,
 * network cut, pool exhausted for {@link Database#CONNECTION_TIMEOUT}), as opposed to a bug or bad
 * data. Callers answer such a failure "503, try again" rather than "500": the transaction it broke
 * was rolled back, nothing was handed out, and the next try may succeed.
 *
 * <p>SQLSTATE class 08 is "connection exception" (both drivers); 57P01–57P03 are PostgreSQL's
 * administrator shutdown, crash shutdown and "cannot connect now" (starting up); 90067 and 90098
 * are H2's "connection is broken" and "database is closed".
 */
public final class StoreUnavailable {
  private StoreUnavailable() {}

  /** Whether {@code e}, or one of its causes, says the database cannot be reached. */
  public static boolean isCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof SQLNonTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql && unreachable(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** The root cause of {@code e} in a few words: its class's simple name and its message. */
  public static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private static boolean unreachable(String state) {
    return state != null
        && (state.startsWith("08")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03")
            || state.equals("90067")
            || state.equals("90098"));
  }
}
