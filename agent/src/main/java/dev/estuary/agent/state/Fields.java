package dev.estuary.agent.state;

import dev.estuary.agent.json.JsonException;
import dev.estuary.agent.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the members of one JSON object of the state file by type, strictly: a member the agent does
 * not know, or one of the wrong type, is a {@link JsonException} naming its path ({@code
 * credentials.device-id.next_attempt is not a date: 2026-13-45}). JSON {@code null} reads as
 * absent.
 */
final class Fields {
  private final JsonObject node;
  private final String where;

  private Fields(JsonObject node, String where) {
    this.node = node;
    this.where = where;
  }

  /**
   * The members of {@code node}, found at {@code where} ({@code ""} for the top, else ending in a
   * dot); every member must be in {@code known}.
   */
  static Fields of(JsonObject node, String where, Set<String> known) throws JsonException {
    for (String name : node.names()) {
      if (!known.contains(name)) {
        throw new JsonException(where + name + " is not a field this agent knows");
      }
    }
    return new Fields(node, where);
  }

  /** The object {@code value} found at {@code path}, or an error saying it is not one. */
  static JsonObject object(Object value, String path) throws JsonException {
    if (value instanceof JsonObject o) {
      return o;
    }
    throw new JsonException(path + " is not an object");
  }

  Optional<String> text(String name) throws JsonException {
    Object v = node.get(name);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof String s) {
      return Optional.of(s);
    }
    throw new JsonException(where + name + " is not text");
  }

  Optional<Instant> instant(String name) throws JsonException {
    Object v = node.get(name);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof String text)) {
      throw new JsonException(where + name + " is not a date");
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      throw new JsonException(where + name + " is not a date: " + text);
    }
  }

  /** A count: absent reads as 0; anything but a whole number from 0 up is an error. */
  int count(String name) throws JsonException {
    Object v = node.get(name);
    if (v == null) {
      return 0;
    }
    long n;
    if (v instanceof Long l) {
      n = l;
    } else if (v instanceof BigDecimal d) {
      try {
        n = d.longValueExact();
      } catch (ArithmeticException e) {
        throw new JsonException(where + name + " is not a whole number: " + d);
      }
    } else {
      throw new JsonException(where + name + " is not a number");
    }
    if (n < 0 || n > Integer.MAX_VALUE) {
      throw new JsonException(where + name + " is out of range: " + n);
    }
    return (int) n;
  }

  /** The member object {@code name}, if present. */
  Optional<JsonObject> object(String name) throws JsonException {
    Object v = node.get(name);
    return v == null ? Optional.empty() : Optional.of(object(v, where + name));
  }

  /** Writes {@code value} as {@code name}, or JSON {@code null} when empty. */
  static void putOrNull(JsonObject node, String name, Optional<?> value) {
    node.put(name, value.map(Object::toString).orElse(null));
  }

  /** Writes {@code value} as {@code name} when present; leaves the member out otherwise. */
  static void putIfPresent(JsonObject node, String name, Optional<?> value) {
    value.ifPresent(v -> node.put(name, v.toString()));
  }
}
