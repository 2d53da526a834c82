package dev.estuary.agent.provisioning;

import java.util.Objects;

/**
 * What the provisioning service assigned the device: the hub and the device id there.
 *
 * @param registrationId the registration id
 * @param assignedHub the IoT hub's host name
 * @param deviceId the device id in that hub
 * @param substatus {@code initialAssignment}, {@code reprovisionedToInitialAssignment}, …
 * @param certificateSha256 upper-case hex SHA-256 thumbprint of the certificate registered
 * @param lastUpdated the service's {@code lastUpdatedDateTimeUtc}
 */
public record Assignment(
    String registrationId,
    String assignedHub,
    String deviceId,
    String substatus,
    String certificateSha256,
    String lastUpdated) {
  public Assignment {
    Objects.requireNonNull(registrationId, "registrationId");
    Objects.requireNonNull(assignedHub, "assignedHub");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(substatus, "substatus");
    Objects.requireNonNull(certificateSha256, "certificateSha256");
    Objects.requireNonNull(lastUpdated, "lastUpdated");
  }
}
