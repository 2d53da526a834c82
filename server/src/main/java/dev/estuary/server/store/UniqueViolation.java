package dev.estuary.server.store;

import java.sql.SQLException;

/** Recognizes a unique-constraint violation (SQLSTATE 23505, the same on H2 and PostgreSQL). */
final class UniqueViolation {

  private static final String SQL_STATE = "23505";

  private UniqueViolation() {}

  /** Whether {@code e}, or one of its causes, is a unique-constraint violation. */
  static boolean isCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && SQL_STATE.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
