package dev.estuary.server.store;

import java.time.Instant;

/**
 * A name bound to the identity that first obtained it from a label.
 *
 * @param principal the identity ({@code auth.Principals})
 * @param description who that is, for people: the certificate's subject and issuer, or the secret
 */
public record NameBinding(
    String label, String name, String principal, String description, Instant createdAt) {}
