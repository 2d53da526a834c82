package dev.estuary.server.store;

/**
 * A linked IoT hub devices may be assigned to.
 *
 * @param hostName e.g. "hub.estuary.local"
 * @param weight its share in hashed and evenly weighted allocation (at least 1)
 */
public record HubRecord(String hostName, int weight) {}
