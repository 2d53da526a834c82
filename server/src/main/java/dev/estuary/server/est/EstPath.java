package dev.estuary.server.est;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An EST request path: {@code /.well-known/est/{op}} or {@code /.well-known/est/{label}/{op}}.
 * Repeated slashes and a trailing slash are tolerated: clients build these URLs by appending to a
 * configured base URL, with or without its own trailing slash.
 *
 * @param label null for the unlabeled path
 */
public record EstPath(String label, String operation) {
  public static final String PREFIX = "/.well-known/est";
  public static final Set<String> OPERATIONS =
      Set.of("cacerts", "simpleenroll", "simplereenroll", "csrattrs", "serverkeygen");

  /** Parses a path; null when it is not under {@link #PREFIX}. */
  public static Parsed parse(String rawPath) {
    String path = rawPath.replaceAll("/{2,}", "/");
    if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
      return null;
    }
    List<String> segs = new ArrayList<>();
    for (String s : path.substring(PREFIX.length()).split("/")) {
      if (!s.isEmpty()) {
        segs.add(s);
      }
    }
    if (segs.size() == 1 && OPERATIONS.contains(segs.get(0))) {
      return new Parsed(new EstPath(null, segs.get(0)), null);
    }
    if (segs.size() == 2 && OPERATIONS.contains(segs.get(1))) {
      return new Parsed(new EstPath(segs.get(0), segs.get(1)), null);
    }
    return new Parsed(
        null,
        "no EST operation at '"
            + rawPath
            + "'; use "
            + PREFIX
            + "/[label/]{cacerts|simpleenroll|simplereenroll|csrattrs}");
  }

  /** A parsed path, or the reason it is not an EST operation. */
  public record Parsed(EstPath path, String error) {}
}
