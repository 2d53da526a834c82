package dev.estuary.server.console;

import dev.estuary.server.app.ConsoleUserService;
import dev.estuary.server.app.TokenService;
import dev.estuary.server.auth.Actor;
import java.util.Map;

/**
 * The login page: a console user's name and password, or an admin API token. Both are checked by
 * the services that own them ({@link ConsoleUserService}, {@link TokenService}), limits first; the
 * page says only "wrong" (never which part).
 */
final class LoginPage {
  private final ConsoleSessions sessions;
  private final TokenService tokens;
  private final ConsoleUserService users;

  LoginPage(ConsoleSessions sessions, TokenService tokens, ConsoleUserService users) {
    this.sessions = sessions;
    this.tokens = tokens;
    this.users = users;
  }

  /** What a login attempt did: a new session (or null) and the answer. */
  record Outcome(ConsoleSessions.Session session, Reply reply) {}

  Reply page(Map<String, String> query) {
    String note = null;
    if (query.containsKey("expired")) {
      note = "Your session ended after a while without use. Log in again.";
    } else if (query.containsKey("out")) {
      note = "You are logged out.";
    }
    return form(200, note, null);
  }

  Outcome submit(String address, Map<String, String> form) {
    String token = form.get("token");
    Actor actor;
    if (token != null && !token.isBlank()) {
      switch (tokens.authenticate(address, token.strip())) {
        case TokenService.Authenticated a -> actor = a.actor();
        case TokenService.TooManyFailures t -> {
          users.failed(address, "(admin token)", "too many failed logins");
          return new Outcome(null, tooMany(t.retryAfter().toSeconds()));
        }
        case TokenService.Refused r -> {
          users.failed(address, "(admin token)", r.reason());
          return new Outcome(null, form(401, null, "That admin token is not valid."));
        }
      }
      users.loggedIn(actor, address, "admin-token");
    } else {
      switch (users.login(address, form.get("username"), form.get("password"))) {
        case ConsoleUserService.LoggedIn l -> actor = l.actor();
        case ConsoleUserService.TooManyFailures t -> {
          return new Outcome(null, tooMany(t.retryAfter().toSeconds()));
        }
        case ConsoleUserService.Refused r -> {
          return new Outcome(null, form(401, null, "Wrong user name or password."));
        }
      }
    }
    ConsoleSessions.Session s = sessions.create(actor, address);
    return new Outcome(s, new Reply.Redirect(ConsoleHandler.PREFIX));
  }

  private Reply tooMany(long seconds) {
    return form(
        429,
        null,
        "Too many failed logins from here or for this name. Try again in "
            + Math.max(1, seconds)
            + " s.");
  }

  private static Reply form(int status, String note, String error) {
    Html h = new Html();
    if (note != null) {
      h.el("p", note, "class", "note", "role", "status");
    }
    if (error != null) {
      h.el("p", error, "class", "error", "role", "alert");
    }
    h.open("div", "class", "login");
    h.open(
        "form",
        "method",
        "post",
        "action",
        ConsoleHandler.PREFIX + "login",
        "id",
        "password-login");
    h.raw("<h2>Console user</h2>");
    h.raw("<label for=\"username\">User name</label>");
    h.empty(
        "input", "id", "username", "name", "username", "autocomplete", "username", "required", "");
    h.raw("<label for=\"password\">Password</label>");
    h.empty(
        "input",
        "id",
        "password",
        "name",
        "password",
        "type",
        "password",
        "autocomplete",
        "current-password",
        "required",
        "");
    h.raw("<button type=\"submit\" id=\"login\">Log in</button></form>");
    h.open(
        "form", "method", "post", "action", ConsoleHandler.PREFIX + "login", "id", "token-login");
    h.raw("<h2>Admin API token</h2>");
    h.raw("<label for=\"token\">Token</label>");
    h.empty(
        "input",
        "id",
        "token",
        "name",
        "token",
        "type",
        "password",
        "autocomplete",
        "off",
        "required",
        "");
    h.raw("<button type=\"submit\" id=\"token-submit\">Log in with the token</button></form>");
    h.close("div");
    return new Reply.Page(status, "Log in", "", h);
  }
}
