package dev.estuary.server.console;

import dev.estuary.config.Durations;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.store.BasicUser;
import dev.estuary.server.store.BootstrapSecret;
import dev.estuary.server.store.ConsoleUser;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What devices and factories authenticate with: bootstrap secrets and Basic users (create: the
 * secret or password is shown once, on the answer page, and never again; list; disable), and the
 * console's own users (list; disable).
 */
final class CredentialPages {
  /** The longest lifetime a secret may be given here: 100 years, as the admin API. */
  static final Duration MAX_LIFETIME = Duration.ofDays(36500);

  private final ConsolePages pages;

  CredentialPages(ConsolePages pages) {
    this.pages = pages;
  }

  void addTo(ConsoleRoutes routes) {
    routes
        .get("/console/credentials", this::list)
        .post("/console/secrets", this::createSecret)
        .post("/console/secrets/{id}/disable", this::disableSecret)
        .post("/console/basic-users", this::createBasicUser)
        .post("/console/basic-users/{name}/disable", this::disableBasicUser)
        .post("/console/console-users/{name}/disable", this::disableConsoleUser);
  }

  private Reply list(Call c) throws NotPermitted {
    Html h = new Html();
    List<String> labels = pages.labels().keySet().stream().sorted().toList();
    h.raw("<h2>Bootstrap secrets</h2>");
    if (ConsolePages.may(c.actor(), Permission.CREATE_BOOTSTRAP_SECRETS)) {
      h.open("form", "method", "post", "action", "/console/secrets", "class", "search");
      Layout.csrf(h, c.session());
      labelSelect(h, "secret-label", labels, false);
      h.el("label", "Uses (empty: unlimited)", "for", "uses");
      h.empty("input", "id", "uses", "name", "uses", "inputmode", "numeric");
      h.el("label", "Expires after (e.g. 90d; empty: never)", "for", "expires");
      h.empty("input", "id", "expires", "name", "expires");
      h.raw("<button type=\"submit\" id=\"create-secret\">Create a secret</button></form>");
    }
    h.raw(
            "<table id=\"secrets\"><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Label</th><th scope=\"col\">Created</th>")
        .raw(
            "<th scope=\"col\">Expires</th><th scope=\"col\">Uses left</th><th scope=\"col\">State</th><th scope=\"col\"></th></tr></thead><tbody>");
    for (BootstrapSecret s : pages.credentials().listSecrets(c.actor(), null)) {
      h.raw("<tr>")
          .el("td", s.id(), "class", "mono")
          .el("td", s.label())
          .el("td", Layout.time(s.createdAt()))
          .el("td", s.expiresAt() == null ? "never" : Layout.time(s.expiresAt()))
          .el("td", s.usesRemaining() == null ? "unlimited" : s.usesRemaining().toString())
          .el("td", s.disabled() ? "disabled" : "enabled")
          .open("td");
      if (!s.disabled() && ConsolePages.may(c.actor(), Permission.DISABLE_BOOTSTRAP_SECRETS)) {
        button(h, c, "/console/secrets/" + Form.encode(s.id()) + "/disable", "Disable");
      }
      h.close("td").raw("</tr>");
    }
    h.raw("</tbody></table>");

    h.raw("<h2>Basic users</h2>");
    if (ConsolePages.may(c.actor(), Permission.CREATE_BASIC_USERS)) {
      h.open("form", "method", "post", "action", "/console/basic-users", "class", "search");
      Layout.csrf(h, c.session());
      h.el("label", "User name", "for", "basic-username");
      h.empty(
          "input",
          "id",
          "basic-username",
          "name",
          "username",
          "required",
          "",
          "pattern",
          "[A-Za-z0-9._@-]{1,64}");
      labelSelect(h, "basic-label", labels, true);
      h.raw(
          "<button type=\"submit\" id=\"create-basic-user\">Create or replace a Basic user</button></form>");
    }
    h.raw(
        "<table id=\"basic-users\"><thead><tr><th scope=\"col\">User name</th><th scope=\"col\">Label</th><th scope=\"col\">State</th><th scope=\"col\"></th></tr></thead><tbody>");
    for (BasicUser u : pages.credentials().listBasicUsers(c.actor())) {
      h.raw("<tr>")
          .el("td", u.username())
          .el("td", u.label())
          .el("td", u.disabled() ? "disabled" : "enabled")
          .open("td");
      if (!u.disabled() && ConsolePages.may(c.actor(), Permission.DISABLE_BASIC_USERS)) {
        button(h, c, "/console/basic-users/" + Form.encode(u.username()) + "/disable", "Disable");
      }
      h.close("td").raw("</tr>");
    }
    h.raw("</tbody></table>");

    h.raw("<h2>Console users</h2>");
    h.el(
        "p",
        "Created with: estuary server console-user create --role admin|operator|auditor NAME",
        "class",
        "note");
    h.raw(
        "<table id=\"console-users\"><thead><tr><th scope=\"col\">User name</th><th scope=\"col\">Role</th><th scope=\"col\">Created</th><th scope=\"col\">By</th><th scope=\"col\">State</th><th scope=\"col\"></th></tr></thead><tbody>");
    for (ConsoleUser u : pages.users().list(c.actor())) {
      h.raw("<tr>")
          .el("td", u.username())
          .el("td", u.role())
          .el("td", Layout.time(u.createdAt()))
          .el("td", u.createdBy())
          .el("td", u.disabled() ? "disabled " + Layout.time(u.disabledAt()) : "enabled")
          .open("td");
      if (!u.disabled() && ConsolePages.may(c.actor(), Permission.DISABLE_CONSOLE_USERS)) {
        button(h, c, "/console/console-users/" + Form.encode(u.username()) + "/disable", "Disable");
      }
      h.close("td").raw("</tr>");
    }
    h.raw("</tbody></table>");
    return new Reply.Page("Secrets and users", "credentials", h);
  }

  private static void labelSelect(Html h, String id, List<String> labels, boolean any) {
    h.el("label", "Label", "for", id);
    h.open("select", "id", id, "name", "label");
    if (any) {
      h.el("option", "every label with Basic (*)", "value", "*");
    }
    for (String l : labels) {
      h.el("option", l, "value", l);
    }
    h.close("select");
  }

  private static void button(Html h, Call c, String action, String text) {
    h.open("form", "method", "post", "action", action, "class", "inline");
    Layout.csrf(h, c.session());
    h.el("button", text, "type", "submit").close("form");
  }

  /** The page that shows a new secret or password once. */
  private static Reply shownOnce(String title, String what, String value, String hint) {
    Html h = new Html();
    h.el(
        "p",
        "This " + what + " is shown only now; it is not stored, only its hash. Copy it now.",
        "class",
        "warning",
        "role",
        "alert");
    h.el("pre", value, "class", "secret", "id", "shown-once");
    h.el("p", hint);
    h.open("p").a("/console/credentials", "Back to secrets and users").close("p");
    return new Reply.Page(title, "credentials", h);
  }

  private Reply createSecret(Call c) throws NotPermitted, ConsoleRefusal {
    String label = c.f("label");
    if (label == null || !pages.labels().containsKey(label)) {
      throw ConsoleRefusal.badRequest(
          "Choose one of the labels: "
              + String.join(", ", pages.labels().keySet().stream().sorted().toList())
              + ".");
    }
    Integer uses = null;
    if (c.f("uses") != null) {
      try {
        uses = Integer.parseInt(c.f("uses"));
        if (uses < 1) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw ConsoleRefusal.badRequest(
            "'Uses' is a whole number from 1 to " + Integer.MAX_VALUE + ", or empty.");
      }
    }
    Instant expires = null;
    if (c.f("expires") != null) {
      Duration d;
      try {
        d = Durations.parse(c.f("expires"));
      } catch (IllegalArgumentException e) {
        throw ConsoleRefusal.badRequest("'Expires after': " + e.getMessage());
      }
      if (d.compareTo(MAX_LIFETIME) > 0) {
        throw ConsoleRefusal.badRequest("'Expires after' is longer than 100 years.");
      }
      expires = c.now().plus(d);
    }
    SecretMinter.MintedSecret s = pages.credentials().createSecret(c.actor(), label, uses, expires);
    return shownOnce(
        "New bootstrap secret",
        "secret",
        s.value(),
        "Label "
            + label
            + ", id "
            + s.stored().id()
            + ". A factory sends it as the EST bootstrap secret.");
  }

  private Reply disableSecret(Call c) throws NotPermitted, ConsoleRefusal {
    if (!pages.credentials().disableSecret(c.actor(), c.param("id"))) {
      throw ConsoleRefusal.notFound("There is no secret with id '" + c.param("id") + "'.");
    }
    return new Reply.Redirect("/console/credentials");
  }

  private Reply createBasicUser(Call c) throws NotPermitted, ConsoleRefusal {
    String username = c.f("username");
    if (username == null || !username.matches("[A-Za-z0-9._@-]{1,64}")) {
      throw ConsoleRefusal.badRequest("A user name is 1-64 letters, digits, '.', '_', '@' or '-'.");
    }
    String label = c.f("label") == null ? "*" : c.f("label");
    if (!label.equals("*") && !pages.labels().containsKey(label)) {
      throw ConsoleRefusal.badRequest("Choose * or one of the labels.");
    }
    String password = pages.credentials().createBasicUser(c.actor(), username, label);
    return shownOnce("New Basic user " + username, "password", password, "Label " + label + ".");
  }

  private Reply disableBasicUser(Call c) throws NotPermitted, ConsoleRefusal {
    if (!pages.credentials().disableBasicUser(c.actor(), c.param("name"))) {
      throw ConsoleRefusal.notFound("There is no Basic user '" + c.param("name") + "'.");
    }
    return new Reply.Redirect("/console/credentials");
  }

  private Reply disableConsoleUser(Call c) throws NotPermitted, ConsoleRefusal {
    if (!pages.users().disable(c.actor(), c.param("name"))) {
      throw ConsoleRefusal.notFound("There is no console user '" + c.param("name") + "'.");
    }
    return new Reply.Redirect("/console/credentials");
  }
}
