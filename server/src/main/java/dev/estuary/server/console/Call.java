package dev.estuary.server.console;

import dev.estuary.server.auth.Actor;
import java.time.Instant;
import java.util.Map;
import org.eclipse.jetty.server.Request;

/**
 * A console request matched to a page: who asked (their session), the query, the form of a POST
 * (its CSRF token already checked), the path's parameters, and the time it is served at.
 */
record Call(
    Request request,
    ConsoleSessions.Session session,
    Map<String, String> query,
    Map<String, String> form,
    Map<String, String> params,
    Instant now) {

  Actor actor() {
    return session.actor();
  }

  String csrf() {
    return session.csrf();
  }

  /** The query parameter {@code name}, or null when absent or blank. */
  String q(String name) {
    String v = query.get(name);
    return v == null || v.isBlank() ? null : v.strip();
  }

  /** The form field {@code name}, or null when absent or blank. */
  String f(String name) {
    String v = form.get(name);
    return v == null || v.isBlank() ? null : v.strip();
  }

  String param(String name) {
    return params.get(name);
  }
}
