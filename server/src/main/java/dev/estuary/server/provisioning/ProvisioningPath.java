package dev.estuary.server.provisioning;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.pathmap.MatchedResource;
import org.eclipse.jetty.http.pathmap.PathMappings;
import org.eclipse.jetty.http.pathmap.RegexPathSpec;

/**
 * A device API path: {@code /{idScope}/registrations/{registrationId}/register}, {@code
 * .../operations/{operationId}}, or {@code /{idScope}/registrations/{registrationId}} (the status
 * lookup).
 *
 * @param operationId for {@link Kind#OPERATION}, else null
 */
public record ProvisioningPath(
    String idScope, String registrationId, Kind kind, String operationId) {

  /** Registration ids as DPS takes them, limited to what a certificate CN holds. */
  private static final Pattern REGISTRATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  /** Which of the three operations the path names, with the method it takes. */
  public enum Kind {
    REGISTER("PUT"),
    OPERATION("GET"),
    STATUS("POST");

    private final String method;

    Kind(String method) {
      this.method = method;
    }

    public String method() {
      return method;
    }
  }

  /**
   * The device API's route table: a Jetty path spec per operation (the three are told apart by
   * their number of segments, so at most one matches), its path parameters as named groups.
   */
  private static final PathMappings<Kind> ROUTES = new PathMappings<>();

  static {
    String registration = "^/(?<idScope>[^/]+)/registrations/(?<registrationId>[^/]*)";
    ROUTES.put(new RegexPathSpec(registration + "/register$"), Kind.REGISTER);
    ROUTES.put(
        new RegexPathSpec(registration + "/operations/(?<operationId>[^/]+)$"), Kind.OPERATION);
    ROUTES.put(new RegexPathSpec(registration + "$"), Kind.STATUS);
  }

  /**
   * @return the parsed path; null when the path is not under {@code /{idScope}/registrations/}
   * @throws ProvisioningRefusal for a path under it that names no operation, or a registration id
   *     that breaks the rules
   */
  public static ProvisioningPath parse(String path) throws ProvisioningRefusal {
    MatchedResource<Kind> m = ROUTES.getMatched(path);
    if (m == null) {
      String[] s = (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
      if (s.length < 2 || !s[1].equals("registrations") || s[0].isEmpty()) {
        return null;
      }
      throw new ProvisioningRefusal(
          ErrorCode.INVALID_REQUEST,
          "'"
              + path
              + "' is not a device API path; use /{idScope}/registrations/{registrationId}/register,"
              + " .../operations/{operationId} or /{idScope}/registrations/{registrationId}");
    }
    Matcher g = ((RegexPathSpec) m.getPathSpec()).getPattern().matcher(path);
    if (!g.matches()) {
      throw new IllegalStateException("a matched path spec does not match " + path);
    }
    Kind kind = m.getResource();
    ProvisioningPath parsed =
        new ProvisioningPath(
            g.group("idScope"),
            g.group("registrationId"),
            kind,
            kind == Kind.OPERATION ? g.group("operationId") : null);
    requireValidRegistrationId(parsed.registrationId());
    return parsed;
  }

  static void requireValidRegistrationId(String registrationId) throws ProvisioningRefusal {
    if (!REGISTRATION_ID.matcher(registrationId).matches()) {
      throw new ProvisioningRefusal(
          ErrorCode.INVALID_REQUEST,
          "registration id '"
              + registrationId
              + "' is not 1-64 characters of letters, digits, '-', '.', '_' and ':'");
    }
  }
}
