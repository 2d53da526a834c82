package dev.estuary.server.provisioning;

/**
 * A device request that will not be served, with the error that says why and a message a person can
 * act on. The message is sent to the device, so it never carries secrets or key material.
 */
public final class ProvisioningRefusal extends Exception {
  private final ErrorCode error;

  public ProvisioningRefusal(ErrorCode error, String message) {
    super(message, null, false, false);
    this.error = error;
  }

  public ErrorCode error() {
    return error;
  }
}
