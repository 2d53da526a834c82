package dev.estuary.server.http;

/**
 * Escapes a request-derived string (a CSR's CN, a path, a registration id, a username) for a log
 * line or a reason: CR, LF, TAB and every other control or line-separating character become visible
 * escapes ({@code \r}, {@code \n}, {@code \u2028}), so a request cannot forge a log line. Backslash
 * is doubled so an escape in the input stays distinguishable.
 */
public final class LogSafe {
  /** Longest output kept; longer input is cut and marked. */
  static final int MAX = 512;

  private LogSafe() {}

  public static String escape(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = null;
    int n = Math.min(s.length(), MAX);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      String r = replacement(c);
      if (r != null && b == null) {
        b = new StringBuilder(n + 16).append(s, 0, i);
      }
      if (b != null) {
        if (r != null) {
          b.append(r);
        } else {
          b.append(c);
        }
      }
    }
    String out = b == null ? s.substring(0, n) : b.toString();
    return s.length() > MAX ? out + "...(" + s.length() + " chars)" : out;
  }

  private static String replacement(char c) {
    return switch (c) {
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      case '\\' -> "\\\\";
      default ->
          c < 0x20
                  || (c >= 0x7f && c <= 0x9f)
                  || c == '\u2028'
                  || c == '\u2029'
                  || Character.getType(c) == Character.FORMAT
              ? String.format("\\u%04x", (int) c)
              : null;
    };
  }
}
