package dev.estuary.pki;

/**
 * A request or artefact that cannot be used, with a reason a person can act on. The message is safe
 * to show to the client: it never contains key material or secrets.
 */
public class PkiException extends Exception {
  public PkiException(String reason) {
    super(reason);
  }

  public PkiException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
