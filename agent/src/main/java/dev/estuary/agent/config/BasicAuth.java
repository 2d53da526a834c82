package dev.estuary.agent.config;

import java.util.Objects;

/**
 * HTTP Basic credentials for the EST server. {@link #toString()} never shows the password.
 *
 * @param username the user name
 * @param password the password, as written in the configuration
 */
public record BasicAuth(String username, String password) {

  public BasicAuth {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  @Override
  public String toString() {
    return "BasicAuth[username=" + username + ", password=<redacted>]";
  }
}
