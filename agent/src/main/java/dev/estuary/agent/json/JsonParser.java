package dev.estuary.agent.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict RFC 8259 reader into {@link JsonObject}s; errors name the offset and what was expected.
 */
final class JsonParser {
  /** Deeper nesting is refused, so hostile input cannot exhaust the stack. */
  static final int MAX_DEPTH = 64;

  private final String s;
  private int i;
  private int depth;

  JsonParser(String text) {
    this.s = text;
  }

  JsonObject document() throws JsonException {
    space();
    if (peek() != '{') {
      throw error("expected a JSON object");
    }
    JsonObject o = object();
    space();
    if (i < s.length()) {
      throw error("unexpected text after the JSON object");
    }
    return o;
  }

  private Object value() throws JsonException {
    space();
    char c = peek();
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error(
            i >= s.length() ? "unexpected end of input" : "unexpected character '" + c + "'");
      }
    };
  }

  private JsonObject object() throws JsonException {
    enter();
    i++; // {
    JsonObject o = new JsonObject();
    space();
    if (peek() == '}') {
      i++;
      depth--;
      return o;
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw error("expected a member name in quotes");
      }
      String name = string();
      space();
      expect(':');
      o.set(name, value());
      if (closed('}', "an object")) {
        return o;
      }
    }
  }

  private List<Object> array() throws JsonException {
    enter();
    i++; // [
    List<Object> list = new ArrayList<>();
    space();
    if (peek() == ']') {
      i++;
      depth--;
      return list;
    }
    while (true) {
      list.add(value());
      if (closed(']', "an array")) {
        return list;
      }
    }
  }

  /** After a member or element: true at the closing bracket (consumed), false after a comma. */
  private boolean closed(char closer, String in) throws JsonException {
    space();
    char c = peek();
    if (c == closer) {
      i++;
      depth--;
      return true;
    }
    if (c != ',') {
      throw error("expected ',' or '" + closer + "' in " + in);
    }
    i++;
    return false;
  }

  private String string() throws JsonException {
    i++; // opening quote
    StringBuilder b = null;
    int start = i;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        String chunk = s.substring(start, i++);
        return b == null ? chunk : b.append(chunk).toString();
      }
      if (c < 0x20) {
        throw error("unescaped control character in a string");
      }
      if (c != '\\') {
        i++;
        continue;
      }
      if (b == null) {
        b = new StringBuilder();
      }
      b.append(s, start, i);
      i++;
      char e = i < s.length() ? s.charAt(i) : 0;
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 5 > s.length()) {
            throw error("incomplete \\u escape");
          }
          try {
            b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          } catch (NumberFormatException x) {
            throw error("bad \\u escape");
          }
          i += 4;
        }
        default -> throw error("bad escape in a string");
      }
      i++;
      start = i;
    }
    throw error("unterminated string");
  }

  private Object number() throws JsonException {
    int start = i;
    if (peek() == '-') {
      i++;
    }
    if (peek() == '0') {
      i++;
    } else if (!digits()) {
      throw error("expected a digit");
    }
    boolean integral = true;
    if (peek() == '.') {
      i++;
      integral = false;
      if (!digits()) {
        throw error("expected a digit after '.'");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      i++;
      integral = false;
      if (peek() == '+' || peek() == '-') {
        i++;
      }
      if (!digits()) {
        throw error("expected a digit in the exponent");
      }
    }
    String text = s.substring(start, i);
    if (integral && text.length() <= 20) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException beyondLong) {
        // falls through to BigDecimal
      }
    }
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException | ArithmeticException outOfRange) {
      // An exponent beyond what BigDecimal holds (1e99999999999): unreadable, not a crash.
      throw error("number out of range");
    }
  }

  private boolean digits() {
    int start = i;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i > start;
  }

  private Object literal(String word, Object value) throws JsonException {
    if (!s.startsWith(word, i)) {
      throw error("expected '" + word + "'");
    }
    i += word.length();
    return value;
  }

  private void enter() throws JsonException {
    if (++depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private void expect(char c) throws JsonException {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    i++;
  }

  private char peek() {
    return i < s.length() ? s.charAt(i) : 0;
  }

  private void space() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      i++;
    }
  }

  private JsonException error(String what) {
    return new JsonException("invalid JSON at offset " + i + ": " + what);
  }
}
