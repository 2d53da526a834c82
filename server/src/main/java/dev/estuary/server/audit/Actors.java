package dev.estuary.server.audit;

/**
 * Who an audit record names as its actor: {@code device:<principal>} (an authenticated device: the
 * principal names are bound to), {@code token:<id>} (an admin API token; today the one configured
 * admin token is {@code token:admin}), {@code system} (the server itself: startup, quickstart), or
 * {@code address:<ip>} (an unauthenticated caller, only in counted authentication failures).
 */
public final class Actors {
  public static final String SYSTEM = "system";

  /** The one admin token of server.toml ({@code admin.token_hash}). */
  public static final String ADMIN_TOKEN = "token:admin";

  private Actors() {}

  public static String device(String principal) {
    return "device:" + principal;
  }

  public static String token(String id) {
    return "token:" + id;
  }

  public static String address(String address) {
    return "address:" + address;
  }
}
