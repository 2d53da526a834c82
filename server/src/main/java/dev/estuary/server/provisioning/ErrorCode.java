package dev.estuary.server.provisioning;

/**
 * The errors the device API answers, each with its HTTP status and the six-digit code DPS clients
 * read from {@code errorCode} and {@code x-ms-error-code}. The first three digits are the HTTP
 * status, as in every DPS and IoT Hub code.
 *
 * <p>Sources: 400004 and 401002 are the IoT Hub / DPS common codes ("ArgumentInvalid",
 * "IotHubUnauthorizedAccess"; learn.microsoft.com/rest/api/iothub/common-error-codes); DPS answers
 * an untrusted device certificate with 401002 "Invalid certificate." (as devices report it, e.g.
 * stackoverflow.com/questions/62440813); the HTTP statuses follow DPS's troubleshooting table
 * (learn.microsoft.com/azure/iot-dps/how-to-troubleshoot-dps), and DPS answers unknown resources
 * with 404xxx codes (Azure/azure-iot-sdk-csharp#592). DPS documents no code for a disabled
 * enrollment, an unknown ID scope, operation or registration, or a missing hub: those codes are
 * Estuary's own, in the same scheme.
 */
public enum ErrorCode {
  /**
   * Malformed JSON, a registration id that breaks the rules or differs from the path's, a bad CSR.
   */
  INVALID_REQUEST(400, 400004),
  /**
   * No client certificate, CN not the registration id, chain to no verified CA, revoked or expired.
   */
  UNAUTHORIZED(401, 401002),
  /** The enrollment that matches the device is disabled (Estuary's code). */
  ENROLLMENT_DISABLED(403, 403001),
  /**
   * The registration id, or the name a CSR asks for, is bound to another identity: a registration
   * is re-registered, read and polled only with the certificate (or a renewal of it) that
   * registered it (Estuary's code).
   */
  BOUND_TO_ANOTHER_IDENTITY(403, 403002),
  /** The device (registration id) was disabled by an operator (Estuary's code). */
  DEVICE_DISABLED(403, 403003),
  /** The ID scope in the path is not this server's (Estuary's code). */
  ID_SCOPE_NOT_FOUND(404, 404001),
  /** No such operation for this registration (Estuary's code). */
  OPERATION_NOT_FOUND(404, 404002),
  /** No registration record for this registration id (Estuary's code). */
  REGISTRATION_NOT_FOUND(404, 404003),
  /** The enrollment has no linked hub to assign (Estuary's code). */
  NO_HUB(404, 404004),
  /** Wrong method for the path (Estuary's code). */
  METHOD_NOT_ALLOWED(405, 405001),
  /** The request body is larger than the server accepts (Estuary's code). */
  BODY_TOO_LARGE(413, 413001),
  /**
   * Too many failed authentications from this address (certificates from no enrolled CA); try again
   * after Retry-After. IoT Hub's common code for throttling ("ThrottlingException").
   */
  THROTTLED(429, 429001),
  /** A bug; the message names an incident id that is in the server log (Estuary's code). */
  INTERNAL(500, 500001),
  /**
   * The database cannot be reached; nothing was changed, try again after Retry-After (Estuary's
   * code; DPS's device SDKs retry a 5xx).
   */
  UNAVAILABLE(503, 503001);

  private final int status;
  private final int code;

  ErrorCode(int status, int code) {
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public int code() {
    return code;
  }
}
