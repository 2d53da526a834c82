package dev.estuary.server.store;

/**
 * A bootstrap secret could not be used: unknown, disabled, expired or used up. The message is the
 * reason, one of {@link #UNKNOWN}, {@link #DISABLED}, {@link #EXPIRED}, {@link #USED_UP}; it is
 * meant for the server's log and audit, not for the client (which should not learn which secrets
 * exist).
 */
public class SecretRefusedException extends RuntimeException {
  /** No secret has that id. */
  public static final String UNKNOWN = "unknown";

  /** The secret was disabled by an operator. */
  public static final String DISABLED = "disabled";

  /** The secret's expiry is not after the time of use. */
  public static final String EXPIRED = "expired";

  /** The secret had no uses left. */
  public static final String USED_UP = "used up";

  public SecretRefusedException(String reason) {
    super(reason);
  }

  /** Same as {@link #getMessage()}. */
  public String reason() {
    return getMessage();
  }
}
