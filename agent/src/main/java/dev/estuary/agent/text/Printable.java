package dev.estuary.agent.text;

/**
 * Makes a string that came from elsewhere (a server's answer, a certificate's subject, a file) safe
 * to put on one line of a log or a terminal: every control character — C0 (CR, LF, ESC, …), DEL, C1
 * — and every Unicode line or paragraph separator or format character (bidirectional overrides
 * among them) is written as {@code \}{@code uXXXX}, so a forged log line or a terminal escape
 * sequence cannot pass through.
 *
 * <p>Use it on every remote string the agent logs or {@code estuary agent status} prints.
 */
public final class Printable {
  private Printable() {}

  /** {@code text} with control and format characters escaped; {@code "null"} for null. */
  public static String of(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean escape = mustEscape(c);
      if (escape && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        if (escape) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }

  /** {@link #of(String)} of {@code value}'s {@code toString()}. */
  public static String of(Object value) {
    return of(value == null ? null : value.toString());
  }

  private static boolean mustEscape(char c) {
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
      return true;
    }
    int type = Character.getType(c);
    return type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.FORMAT;
  }
}
