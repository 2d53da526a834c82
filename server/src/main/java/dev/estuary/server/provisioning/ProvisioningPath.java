package dev.estuary.server.provisioning;

import java.util.regex.Pattern;

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
   * @return the parsed path; null when the path is not under {@code /{idScope}/registrations/}
   * @throws ProvisioningRefusal for a path under it that names no operation, or a registration id
   *     that breaks the rules
   */
  public static ProvisioningPath parse(String path) throws ProvisioningRefusal {
    String[] s = (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
    if (s.length < 2 || !s[1].equals("registrations") || s[0].isEmpty()) {
      return null;
    }
    ProvisioningPath parsed =
        switch (s.length) {
          case 3 -> new ProvisioningPath(s[0], s[2], Kind.STATUS, null);
          case 4 ->
              s[3].equals("register")
                  ? new ProvisioningPath(s[0], s[2], Kind.REGISTER, null)
                  : null;
          case 5 ->
              s[3].equals("operations") && !s[4].isEmpty()
                  ? new ProvisioningPath(s[0], s[2], Kind.OPERATION, s[4])
                  : null;
          default -> null;
        };
    if (parsed == null) {
      throw new ProvisioningRefusal(
          ErrorCode.INVALID_REQUEST,
          "'"
              + path
              + "' is not a device API path; use /{idScope}/registrations/{registrationId}/register,"
              + " .../operations/{operationId} or /{idScope}/registrations/{registrationId}");
    }
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
