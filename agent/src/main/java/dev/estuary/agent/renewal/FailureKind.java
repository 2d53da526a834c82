package dev.estuary.agent.renewal;

/** Why a renewal attempt failed, for logs and status. Every kind is retried. */
public enum FailureKind {
  /** No answer: DNS, connection refused or reset, TLS handshake failure, timeout. */
  UNREACHABLE("server unreachable"),
  /** The server answered 5xx. */
  SERVER_ERROR("server error"),
  /** The server answered 429 (usually with {@code Retry-After}). */
  RATE_LIMITED("rate limited"),
  /** The server refused the request: 401, 403, 400, 404 and the like. */
  REFUSED("refused by the server"),
  /** The server answered 200 with something unusable: unparsable, wrong key, already expired. */
  BAD_RESPONSE("unusable response"),
  /** Something failed on the device: disk, key store, an unexpected exception. */
  LOCAL("local failure");

  private final String description;

  FailureKind(String description) {
    this.description = description;
  }

  /** A few words for a log line, e.g. {@code "server unreachable"}. */
  public String description() {
    return description;
  }
}
