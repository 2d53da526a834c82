package dev.estuary.server.metrics;

import java.util.Set;

/**
 * The endpoint a request is counted under: one of a fixed set of names, whatever the path, so a
 * scanner trying a million paths makes no new series. Ids, labels and serials in paths never become
 * tag values.
 */
public final class Endpoints {
  private Endpoints() {}

  private static final Set<String> EST_OPERATIONS =
      Set.of("cacerts", "csrattrs", "simpleenroll", "simplereenroll", "serverkeygen", "fullcmc");

  private static final Set<String> ADMIN_RESOURCES =
      Set.of(
          "health",
          "openapi.yaml",
          "secrets",
          "basic-users",
          "certificates",
          "bindings",
          "ca-certificates",
          "hubs",
          "enrollment-groups",
          "individual-enrollments",
          "registrations",
          "audit",
          "tokens",
          "console-users",
          "devices",
          "cas");

  /** The endpoint of a request on the device port. */
  public static String device(String method, String path) {
    if (path == null) {
      return "other";
    }
    if (path.startsWith("/.well-known/est")) {
      String op = lastSegment(path);
      return EST_OPERATIONS.contains(op) ? "est_" + op : "est_other";
    }
    if (path.startsWith("/crl")) {
      return "crl";
    }
    if (path.startsWith("/ocsp")) {
      return "ocsp";
    }
    if (path.contains("/registrations/")) {
      if (path.contains("/operations/")) {
        return "dps_operation_status";
      }
      if (path.endsWith("/register")) {
        return "dps_register";
      }
      return "dps_registration_status";
    }
    return "other";
  }

  /** The endpoint of a request on the admin port. */
  public static String admin(String method, String path) {
    if (path == null) {
      return "other";
    }
    switch (path) {
      case "/metrics":
        return "metrics";
      case "/healthz":
        return "healthz";
      case "/readyz":
        return "readyz";
      default:
        break;
    }
    if (path.startsWith("/api/v1/")) {
      String rest = path.substring("/api/v1/".length());
      int slash = rest.indexOf('/');
      String resource = slash < 0 ? rest : rest.substring(0, slash);
      return ADMIN_RESOURCES.contains(resource) ? "api_" + resource.replace('-', '_') : "api_other";
    }
    if (path.equals("/console") || path.startsWith("/console/")) {
      return "console";
    }
    return "other";
  }

  private static String lastSegment(String path) {
    int end = path.length();
    while (end > 0 && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(path.lastIndexOf('/', end - 1) + 1, end);
  }
}
