package dev.estuary.server.http;

/**
 * A request that will not be served, with the HTTP status that says why and a reason a person can
 * act on. The reason is sent to the client, so it never carries secrets or key material.
 */
public class Refusal extends Exception {
  private final int status;

  public Refusal(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public String reason() {
    return getMessage();
  }

  /** Missing or wrong credentials. */
  public static Refusal unauthorized(String reason) {
    return new Refusal(401, reason);
  }

  /** Authenticated, but not allowed to get this. */
  public static Refusal forbidden(String reason) {
    return new Refusal(403, reason);
  }

  public static Refusal badRequest(String reason) {
    return new Refusal(400, reason);
  }
}
