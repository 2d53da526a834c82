package dev.estuary.agent.json;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON object (RFC 8259), mutable, members in insertion order: the agent's two small documents,
 * its state file and the provisioning service's answers, without a JSON library (a data-binding
 * library costs a device about 400 classes and several MiB of memory for them).
 *
 * <p>Values are {@code String}, {@code Long} (integers) or {@code BigDecimal} (other numbers),
 * {@code Boolean}, {@code JsonObject}, {@code List<Object>} of these, or {@code null} for JSON
 * {@code null}. Reading is lenient the way a client must be (unknown members are kept, a member of
 * an unexpected type reads as absent); parsing is strict (RFC 8259 only, nesting at most {@value
 * JsonParser#MAX_DEPTH} deep, valid UTF-8).
 */
public final class JsonObject {
  private final Map<String, Object> members = new LinkedHashMap<>();

  /** An empty object. */
  public JsonObject() {}

  /** Parses a JSON text whose top level is an object. */
  public static JsonObject parse(String text) throws JsonException {
    return new JsonParser(text).document();
  }

  /** Parses UTF-8 JSON whose top level is an object (malformed UTF-8 is an error too). */
  public static JsonObject parse(byte[] utf8) throws JsonException {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(utf8))
              .toString();
      return parse(text);
    } catch (CharacterCodingException e) {
      throw new JsonException("not UTF-8: " + e.getMessage());
    }
  }

  /** The member's string value, if it is a string. */
  public Optional<String> text(String name) {
    return members.get(name) instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /** The member's string value, or {@code fallback} when it is absent or not a string. */
  public String text(String name, String fallback) {
    return text(name).orElse(fallback);
  }

  /** The member's integer value, or {@code fallback} when it is absent or not an integer. */
  public long number(String name, long fallback) {
    Object v = members.get(name);
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof BigDecimal d) {
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return fallback;
      }
    }
    return fallback;
  }

  /**
   * The member's object; an empty object, not attached to this one, when the member is absent or
   * not an object (so paths read without null checks).
   */
  public JsonObject object(String name) {
    return members.get(name) instanceof JsonObject o ? o : new JsonObject();
  }

  /** The member's object, made and attached first when there is none. */
  public JsonObject objectFor(String name) {
    if (members.get(name) instanceof JsonObject o) {
      return o;
    }
    JsonObject o = new JsonObject();
    members.put(name, o);
    return o;
  }

  /** Whether the member is present and not {@code null}. */
  public boolean has(String name) {
    return members.get(name) != null;
  }

  /** Whether there are no members. */
  public boolean isEmpty() {
    return members.isEmpty();
  }

  /** The member names, in order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(members.keySet());
  }

  /** The member's value as parsed or put (see the class comment for the types); null if absent. */
  public Object get(String name) {
    return members.get(name);
  }

  /** Sets a string member ({@code null} writes JSON {@code null}). */
  public JsonObject put(String name, String value) {
    members.put(name, value);
    return this;
  }

  /** Sets an integer member. */
  public JsonObject put(String name, long value) {
    members.put(name, value);
    return this;
  }

  /** Sets a boolean member. */
  public JsonObject put(String name, boolean value) {
    members.put(name, value);
    return this;
  }

  /** Sets an object member (not copied). */
  public JsonObject put(String name, JsonObject value) {
    members.put(name, value);
    return this;
  }

  /** Removes a member. */
  public JsonObject remove(String name) {
    members.remove(name);
    return this;
  }

  /** A deep copy. */
  public JsonObject copy() {
    JsonObject c = new JsonObject();
    members.forEach((k, v) -> c.members.put(k, copyOf(v)));
    return c;
  }

  private static Object copyOf(Object v) {
    if (v instanceof JsonObject o) {
      return o.copy();
    }
    if (v instanceof List<?> list) {
      List<Object> c = new ArrayList<>(list.size());
      list.forEach(item -> c.add(copyOf(item)));
      return c;
    }
    return v;
  }

  /** Package access for the parser, which fills members as it reads them. */
  void set(String name, Object value) {
    members.put(name, value);
  }

  Map<String, Object> members() {
    return members;
  }

  /** Compact JSON text. */
  @Override
  public String toString() {
    return JsonWriter.write(this, false);
  }

  /** JSON text indented by two spaces per level, one member per line. */
  public String toPrettyString() {
    return JsonWriter.write(this, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JsonObject other && members.equals(other.members);
  }

  @Override
  public int hashCode() {
    return members.hashCode();
  }
}
