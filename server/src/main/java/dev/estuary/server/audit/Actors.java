package dev.estuary.server.audit;

/**
 * Who an audit record names as its actor: {@code device:<principal>} (an authenticated device: the
 * principal names are bound to), {@code token:<id>} (an admin API token with a role; the token of
 * server.toml's {@code admin.token_hash} is {@code token:config}), {@code system} (the server
 * itself: startup, quickstart), {@code console:<name>} (a console user), or {@code address:<ip>}
 * (an unauthenticated caller, only in counted authentication failures).
 */
public final class Actors {
  public static final String SYSTEM = "system";

  private Actors() {}

  public static String device(String principal) {
    return "device:" + principal;
  }

  public static String token(String id) {
    return "token:" + id;
  }

  /**
   * A person logged in to the web console with a password ({@code estuary server console-user}).
   */
  public static String console(String username) {
    return "console:" + username;
  }

  public static String address(String address) {
    return "address:" + address;
  }
}
