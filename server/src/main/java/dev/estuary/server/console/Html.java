package dev.estuary.server.console;

/**
 * A tiny HTML builder that escapes every value it is given: text and attribute values go through
 * {@link #escape}, and only this package's own string literals are written raw ({@link #raw}).
 * Stored values (subjects, names, notes, audit details) are attacker-controlled: a device chooses
 * its subject, so nothing stored ever reaches a page unescaped.
 */
final class Html {
  private final StringBuilder b = new StringBuilder(4096);

  /** {@code s} with {@code & < > " '} replaced by entities; null is the empty string. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep =
          switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#39;";
            default -> null;
          };
      if (rep == null && Character.isISOControl(c) && c != '\n' && c != '\t') {
        rep = "\uFFFD";
      }
      if (rep != null) {
        if (out == null) {
          out = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        out.append(rep);
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }

  /** Escaped text. */
  Html text(Object s) {
    b.append(escape(s == null ? null : s.toString()));
    return this;
  }

  /** Markup written as it is: only for this package's own literals, never a stored value. */
  Html raw(String markup) {
    b.append(markup);
    return this;
  }

  /**
   * An opening tag with attributes given as name, value pairs; values are escaped, a null value
   * leaves the attribute out, an empty one writes it bare ({@code required}).
   */
  Html open(String tag, String... attrs) {
    b.append('<').append(tag);
    attributes(attrs);
    b.append('>');
    return this;
  }

  /** A void element ({@code input}, {@code br}) with attributes. */
  Html empty(String tag, String... attrs) {
    return open(tag, attrs);
  }

  Html close(String tag) {
    b.append("</").append(tag).append('>');
    return this;
  }

  /** {@code <tag attrs>text</tag>}, the text escaped. */
  Html el(String tag, Object text, String... attrs) {
    return open(tag, attrs).text(text).close(tag);
  }

  /** A link. */
  Html a(String href, Object text) {
    return el("a", text, "href", href);
  }

  private void attributes(String[] attrs) {
    if (attrs.length % 2 != 0) {
      throw new IllegalArgumentException("attributes come in name, value pairs");
    }
    for (int i = 0; i < attrs.length; i += 2) {
      if (attrs[i + 1] == null) {
        continue;
      }
      b.append(' ').append(attrs[i]);
      if (!attrs[i + 1].isEmpty()) {
        b.append("=\"").append(escape(attrs[i + 1])).append('"');
      }
    }
  }

  /** Appends another builder's markup (already escaped). */
  Html add(Html other) {
    b.append(other.b);
    return this;
  }

  @Override
  public String toString() {
    return b.toString();
  }
}
