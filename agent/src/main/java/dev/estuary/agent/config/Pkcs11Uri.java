package dev.estuary.agent.config;

import java.io.ByteArrayOutputStream;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code pkcs11:} URI (RFC 7512) naming a token, a slot or an object in it, e.g. {@code
 * pkcs11:token=edge;object=device-id?pin-value=1234}. Attribute values are kept as written
 * (percent-encoded); {@link #decoded} gives their bytes. {@link #toString()} hides the PIN.
 *
 * @param text the URI as written
 * @param pathAttributes the attributes before {@code ?}, in order
 * @param queryAttributes the attributes after {@code ?}, in order
 */
public record Pkcs11Uri(
    String text, Map<String, String> pathAttributes, Map<String, String> queryAttributes) {

  private static final String SCHEME = "pkcs11:";
  private static final Set<String> PATH_NAMES =
      Set.of(
          "token",
          "manufacturer",
          "serial",
          "model",
          "library-manufacturer",
          "library-description",
          "library-version",
          "object",
          "type",
          "id",
          "slot-description",
          "slot-manufacturer",
          "slot-id");
  private static final Set<String> QUERY_NAMES =
      Set.of("pin-source", "pin-value", "module-name", "module-path");
  private static final Set<String> OBJECT_TYPES =
      Set.of("public", "private", "cert", "secret-key", "data");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Pattern PATH_VALUE =
      Pattern.compile("([A-Za-z0-9\\-._~:\\[\\]@!$'()*+,=/&]|%[0-9A-Fa-f]{2})*");
  private static final Pattern QUERY_VALUE =
      Pattern.compile("([A-Za-z0-9\\-._~:\\[\\]@!$'()*+,=/?|;]|%[0-9A-Fa-f]{2})*");

  public Pkcs11Uri {
    Objects.requireNonNull(text, "text");
    pathAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(pathAttributes));
    queryAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(queryAttributes));
  }

  /**
   * Parses and checks a URI against RFC 7512: known attribute names (or vendor {@code x-} ones),
   * each path attribute at most once, valid percent-encoding, a known {@code type}, a numeric
   * {@code slot-id}.
   *
   * @throws IllegalArgumentException saying what is wrong (never showing the PIN)
   */
  public static Pkcs11Uri parse(String text) {
    if (!text.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw new IllegalArgumentException("does not start with pkcs11:");
    }
    String rest = text.substring(SCHEME.length());
    int q = rest.indexOf('?');
    String path = q < 0 ? rest : rest.substring(0, q);
    String query = q < 0 ? "" : rest.substring(q + 1);
    Map<String, String> pathAttrs = attributes(path, ";", PATH_NAMES, PATH_VALUE, "path");
    Map<String, String> queryAttrs = attributes(query, "&", QUERY_NAMES, QUERY_VALUE, "query");
    String type = pathAttrs.get("type");
    if (type != null && !OBJECT_TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "type '" + type + "' is not one of: " + String.join(", ", sorted(OBJECT_TYPES)));
    }
    String slotId = pathAttrs.get("slot-id");
    if (slotId != null && !slotId.matches("[0-9]{1,19}")) {
      throw new IllegalArgumentException("slot-id '" + slotId + "' is not a number");
    }
    String version = pathAttrs.get("library-version");
    if (version != null && !version.matches("[0-9]+(\\.[0-9]+)?")) {
      throw new IllegalArgumentException("library-version '" + version + "' is not M or M.N");
    }
    if (queryAttrs.containsKey("pin-source") && queryAttrs.containsKey("pin-value")) {
      throw new IllegalArgumentException("pin-source and pin-value cannot both be given");
    }
    return new Pkcs11Uri(text, pathAttrs, queryAttrs);
  }

  private static Map<String, String> attributes(
      String part, String separator, Set<String> names, Pattern valueForm, String where) {
    Map<String, String> attrs = new LinkedHashMap<>();
    if (part.isEmpty()) {
      return attrs;
    }
    for (String attr : part.split(Pattern.quote(separator), -1)) {
      int eq = attr.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "'" + shown(attr) + "' in the " + where + " is not name=value");
      }
      String name = attr.substring(0, eq);
      String value = attr.substring(eq + 1);
      if (!NAME.matcher(name).matches() || !(names.contains(name) || name.startsWith("x-"))) {
        throw new IllegalArgumentException(
            "unknown "
                + where
                + " attribute '"
                + name
                + "' (known: "
                + String.join(", ", sorted(names))
                + ")");
      }
      if (!valueForm.matcher(value).matches()) {
        throw new IllegalArgumentException(
            "the value of " + name + " has a character that must be percent-encoded");
      }
      if (attrs.putIfAbsent(name, value) != null && where.equals("path")) {
        throw new IllegalArgumentException(name + " appears more than once");
      }
    }
    return attrs;
  }

  private static String shown(String attr) {
    return attr.startsWith("pin-value") ? "pin-value…" : attr;
  }

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }

  /** The value of a path or query attribute, as written. */
  public Optional<String> attribute(String name) {
    String v = pathAttributes.get(name);
    return Optional.ofNullable(v != null ? v : queryAttributes.get(name));
  }

  /** The bytes of an attribute's value, percent-decoding undone (e.g. for {@code id}). */
  public Optional<byte[]> decoded(String name) {
    return attribute(name).map(Pkcs11Uri::percentDecode);
  }

  /** True when the URI names an object (by {@code object} label or {@code id}). */
  public boolean namesObject() {
    return pathAttributes.containsKey("object") || pathAttributes.containsKey("id");
  }

  /** True when the URI names a token or slot. */
  public boolean namesTokenOrSlot() {
    return pathAttributes.containsKey("token")
        || pathAttributes.containsKey("serial")
        || pathAttributes.containsKey("slot-id")
        || pathAttributes.containsKey("slot-description");
  }

  /** The URI with the PIN, if any, replaced by {@code <redacted>}. */
  @Override
  public String toString() {
    return redact(text);
  }

  /** {@code text} with any {@code pin-value} replaced by {@code <redacted>}; safe on any string. */
  public static String redact(String text) {
    return text.replaceAll("(?i)(pin-value=)[^&]*", "$1<redacted>");
  }

  private static byte[] percentDecode(String value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length()) {
        out.writeBytes(HexFormat.of().parseHex(value, i + 1, i + 3));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
