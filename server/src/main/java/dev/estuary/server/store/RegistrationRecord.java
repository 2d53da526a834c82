package dev.estuary.server.store;

import java.time.Instant;

/**
 * Where a registration id was assigned, by which enrollment, with which certificate (the one of its
 * latest registration).
 *
 * @param substatus DPS's: initialAssignment, deviceDataMigrated, deviceDataReset,
 *     reprovisionedToInitialAssignment
 * @param certificateSha256 lower-case hex SHA-256 of {@code certificateDer}
 * @param etag changes on every registration
 */
public record RegistrationRecord(
    String registrationId,
    EnrollmentRecord.Kind enrollmentKind,
    String enrollmentId,
    String deviceId,
    String assignedHub,
    String substatus,
    byte[] certificateDer,
    String certificateSha256,
    String etag,
    Instant createdAt,
    Instant lastUpdatedAt) {}
