package dev.estuary.agent.state;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The device's registration with the provisioning service ({@code [provisioning] source = "dps"}):
 * the assignment in force and the latest attempt. Owner: the registration task ({@link
 * dev.estuary.agent.provisioning.Provisioner}).
 *
 * <p>A failed re-registration keeps the previous assignment: the hub authenticates the device by
 * its CA, so it stays in force until the new registration succeeds.
 *
 * @param status {@code assigned} once the device ever was, else {@code not registered}
 * @param registrationId the registration id of the assignment
 * @param assignedHub the IoT hub's host name
 * @param deviceId the device id in that hub
 * @param substatus the service's {@code substatus} ({@code initialAssignment}, …)
 * @param certificateSha256 thumbprint of the device identity the assignment was made with
 * @param registeredAt when the assignment was made
 * @param lastAttempt when the latest registration attempt started
 * @param lastError the latest failure since the last success
 * @param consecutiveFailures attempts that failed since the last success
 * @param pendingCertificateSha256 thumbprint of the certificate a failing attempt registers
 */
public record ProvisioningState(
    String status,
    Optional<String> registrationId,
    Optional<String> assignedHub,
    Optional<String> deviceId,
    Optional<String> substatus,
    Optional<String> certificateSha256,
    Optional<Instant> registeredAt,
    Optional<Instant> lastAttempt,
    Optional<String> lastError,
    int consecutiveFailures,
    Optional<String> pendingCertificateSha256) {

  /** {@link #status} once an assignment was made. */
  public static final String ASSIGNED = "assigned";

  /** {@link #status} before any. */
  public static final String NOT_REGISTERED = "not registered";

  /** Before the first attempt. */
  public static final ProvisioningState NONE =
      new ProvisioningState(
          NOT_REGISTERED,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          0,
          Optional.empty());

  public ProvisioningState {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(registrationId, "registrationId");
    Objects.requireNonNull(assignedHub, "assignedHub");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(substatus, "substatus");
    Objects.requireNonNull(certificateSha256, "certificateSha256");
    Objects.requireNonNull(registeredAt, "registeredAt");
    Objects.requireNonNull(lastAttempt, "lastAttempt");
    Objects.requireNonNull(lastError, "lastError");
    Objects.requireNonNull(pendingCertificateSha256, "pendingCertificateSha256");
  }

  /** Whether the device is assigned with the certificate whose thumbprint is given. */
  public boolean assignedWith(String thumbprint) {
    return ASSIGNED.equals(status) && certificateSha256.filter(thumbprint::equals).isPresent();
  }

  /** {@code hub as device}, when the device was ever assigned. */
  public Optional<String> assignment() {
    return assignedHub.map(h -> h + " as " + deviceId.orElse(""));
  }

  /** After a successful registration at {@code at} with the certificate {@code thumbprint}. */
  public ProvisioningState assigned(
      String registrationId,
      String hub,
      String deviceId,
      String substatus,
      String thumbprint,
      Instant attempted,
      Instant at) {
    return new ProvisioningState(
        ASSIGNED,
        Optional.of(registrationId),
        Optional.of(hub),
        Optional.of(deviceId),
        Optional.of(substatus),
        Optional.of(thumbprint),
        Optional.of(at),
        Optional.of(attempted),
        Optional.empty(),
        0,
        Optional.empty());
  }

  /** After the {@code failures}-th failed attempt in a row to register {@code thumbprint}. */
  public ProvisioningState failed(
      String error, int failures, String thumbprint, Instant attempted) {
    return new ProvisioningState(
        status,
        registrationId,
        assignedHub,
        deviceId,
        substatus,
        certificateSha256,
        registeredAt,
        Optional.of(attempted),
        Optional.of(error),
        failures,
        Optional.of(thumbprint));
  }
}
