package dev.estuary.server.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What an admin API token may do. Each role includes the ones below it: an {@code auditor} reads;
 * an {@code operator} also revokes certificates and manages bootstrap secrets, Basic users, name
 * bindings, enrollments and registrations; an {@code admin} also manages tokens, CA certificates
 * and linked hubs.
 */
public enum Role {
  AUDITOR,
  OPERATOR,
  ADMIN;

  /** As written on the wire, in the database and on the command line: lower case. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when this role may do what {@code needed} may. */
  public boolean includes(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The role written {@code text} ({@code admin}, {@code operator}, {@code auditor}), if any. */
  public static Optional<Role> parse(String text) {
    for (Role r : values()) {
      if (r.wire().equals(text)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
