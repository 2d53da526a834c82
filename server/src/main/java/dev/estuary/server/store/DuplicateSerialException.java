package dev.estuary.server.store;

/** A serial number collided with one already issued; the caller draws a new one and retries. */
public class DuplicateSerialException extends RuntimeException {
  public DuplicateSerialException(String message, Throwable cause) {
    super(message, cause);
  }
}
