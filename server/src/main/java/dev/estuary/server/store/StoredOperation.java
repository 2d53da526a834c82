package dev.estuary.server.store;

import java.time.Instant;

/**
 * A registration operation as a device polls it.
 *
 * @param answer the complete JSON answer to the device's GET of this operation
 */
public record StoredOperation(
    String operationId, String registrationId, Instant createdAt, String answer) {}
