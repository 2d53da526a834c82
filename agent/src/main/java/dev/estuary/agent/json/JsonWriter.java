package dev.estuary.agent.json;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Writes {@link JsonObject}s as JSON text: compact, or indented as the state file is. */
final class JsonWriter {
  private final StringBuilder out = new StringBuilder(256);
  private final boolean pretty;

  private JsonWriter(boolean pretty) {
    this.pretty = pretty;
  }

  static String write(JsonObject o, boolean pretty) {
    JsonWriter w = new JsonWriter(pretty);
    w.object(o, 0);
    return w.out.toString();
  }

  private void value(Object v, int level) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof JsonObject o) {
      object(o, level);
    } else if (v instanceof List<?> list) {
      array(list, level);
    } else if (v instanceof String s) {
      string(s);
    } else if (v instanceof Number n) {
      out.append(n instanceof BigDecimal d ? d.toString() : String.valueOf(n.longValue()));
    } else if (v instanceof Boolean b) {
      out.append(b);
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
    }
  }

  private void object(JsonObject o, int level) {
    Map<String, Object> members = o.members();
    if (members.isEmpty()) {
      out.append(pretty ? "{ }" : "{}");
      return;
    }
    out.append('{');
    Iterator<Map.Entry<String, Object>> it = members.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Object> e = it.next();
      newline(level + 1);
      string(e.getKey());
      out.append(pretty ? " : " : ":");
      value(e.getValue(), level + 1);
      if (it.hasNext()) {
        out.append(',');
      }
    }
    newline(level);
    out.append('}');
  }

  private void array(List<?> list, int level) {
    out.append('[');
    for (int k = 0; k < list.size(); k++) {
      out.append(k == 0 ? (pretty ? " " : "") : (pretty ? ", " : ","));
      value(list.get(k), level);
    }
    out.append(pretty && !list.isEmpty() ? " ]" : "]");
  }

  private void newline(int level) {
    if (pretty) {
      out.append('\n');
      out.append("  ".repeat(level));
    }
  }

  private void string(String s) {
    out.append('"');
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
