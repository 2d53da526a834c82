package dev.estuary.server.auth;

import java.util.Objects;

/**
 * Who made an admin request, as authenticated: the name the audit log records and the role the
 * services check.
 *
 * @param id the audit name: {@code token:<id>} for a token from {@code estuary server token
 *     create}, {@code token:config} for the server.toml {@code token_hash} token, {@code
 *     console:<name>} for a console user
 * @param role what it may do
 */
public record Actor(String id, Role role) {
  /** The server.toml {@code [admin] token_hash} token (the quickstart's): an admin. */
  public static final Actor CONFIG_TOKEN = new Actor("token:config", Role.ADMIN);

  public Actor {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(role, "role");
  }

  /** The holder of the stored token {@code tokenId}. */
  public static Actor token(String tokenId, Role role) {
    return new Actor("token:" + tokenId, role);
  }

  /** The console user {@code username} (logged in with a password). */
  public static Actor console(String username, Role role) {
    return new Actor("console:" + username, role);
  }

  /** The name an audit record carries for this actor. */
  public String auditName() {
    return id;
  }
}
