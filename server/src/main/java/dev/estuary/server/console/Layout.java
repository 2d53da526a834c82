package dev.estuary.server.console;

import dev.estuary.server.auth.Actor;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The frame around every console page: the head, the navigation, who is logged in, logout. */
final class Layout {
  private Layout() {}

  /** The navigation: path, name. */
  static final List<String[]> NAV =
      List.of(
          new String[] {"overview", "/console/", "Overview"},
          new String[] {"certificates", "/console/certificates", "Certificates"},
          new String[] {"devices", "/console/devices", "Devices"},
          new String[] {"enrollments", "/console/enrollments", "Enrollments"},
          new String[] {"ca-certificates", "/console/ca-certificates", "CA certificates"},
          new String[] {"hubs", "/console/hubs", "Hubs"},
          new String[] {"credentials", "/console/credentials", "Secrets & users"},
          new String[] {"cas", "/console/cas", "CAs"},
          new String[] {"audit", "/console/audit", "Audit log"});

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  /** An instant as pages show it; empty for null. */
  static String time(Instant t) {
    return t == null ? "" : TIME.format(t);
  }

  /** A whole page; {@code session} null for the login page. */
  static String page(String title, String nav, ConsoleSessions.Session session, Html body) {
    Html h = new Html();
    h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .el("title", title + " · Estuary console")
        .raw("<link rel=\"stylesheet\" href=\"/console/static/console.css\">")
        .raw("</head><body>");
    h.raw("<a class=\"skip\" href=\"#main\">Skip to content</a>");
    h.raw("<header><span class=\"brand\">Estuary</span>");
    if (session != null) {
      h.open("nav", "aria-label", "Console sections").raw("<ul>");
      for (String[] n : NAV) {
        h.raw("<li>")
            .el("a", n[2], "href", n[1], "aria-current", n[0].equals(nav) ? "page" : null)
            .raw("</li>");
      }
      h.raw("</ul>").close("nav");
      Actor a = session.actor();
      h.open("div", "class", "who")
          .el("span", a.auditName(), "id", "who")
          .text(" ")
          .el("span", a.role().wire(), "class", "role", "id", "role");
      h.open("form", "method", "post", "action", "/console/logout", "class", "inline");
      csrf(h, session);
      h.raw("<button type=\"submit\" id=\"logout\">Log out</button></form></div>");
    }
    h.raw("</header><main id=\"main\">").el("h1", title).add(body).raw("</main></body></html>");
    return h.toString();
  }

  /** The hidden CSRF field every form of a session carries. */
  static void csrf(Html h, ConsoleSessions.Session session) {
    h.empty("input", "type", "hidden", "name", "csrf", "value", session.csrf());
  }
}
