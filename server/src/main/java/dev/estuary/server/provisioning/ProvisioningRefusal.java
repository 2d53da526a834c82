package dev.estuary.server.provisioning;

import dev.estuary.server.store.EnrollmentRecord;

/**
 * A device request that will not be served, with the error that says why and a message a person can
 * act on. The message is sent to the device, so it never carries secrets or key material.
 *
 * <p>A refusal made after the device matched an enrollment names it ({@link #enrollment()}): the
 * metrics count refusals by the enrollment's kind and certificate label.
 */
public final class ProvisioningRefusal extends Exception {
  private final ErrorCode error;
  private final transient EnrollmentRecord enrollment;

  public ProvisioningRefusal(ErrorCode error, String message) {
    this(error, message, null);
  }

  private ProvisioningRefusal(ErrorCode error, String message, EnrollmentRecord enrollment) {
    super(message, null, false, false);
    this.error = error;
    this.enrollment = enrollment;
  }

  public ErrorCode error() {
    return error;
  }

  /** The enrollment the device matched before it was refused, or null when none (yet). */
  public EnrollmentRecord enrollment() {
    return enrollment;
  }

  /** This refusal, naming {@code matched} unless it names an enrollment already. */
  public ProvisioningRefusal in(EnrollmentRecord matched) {
    if (enrollment != null || matched == null) {
      return this;
    }
    return new ProvisioningRefusal(error, getMessage(), matched);
  }
}
