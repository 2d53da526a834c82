package dev.estuary.server.console;

import dev.estuary.server.app.ConsoleUserService;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.TokenService;
import dev.estuary.server.auth.Actor;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.http.Replies;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console on the admin port under {@code /console/} (docs/console.md): server-rendered
 * pages whose every action is a call of the same {@code server.app} and revocation services the
 * admin API calls, with the logged-in user's actor (so roles and the audit log apply as they do
 * there).
 *
 * <p>In front of every page: the session (a 256-bit random id in a {@code Secure; HttpOnly;
 * SameSite=Strict} cookie, ended after the idle timeout); on every POST, the session's CSRF token
 * from the form and the browser's Origin / Sec-Fetch-Site when it sends them; on every answer, a
 * strict Content-Security-Policy ({@code default-src 'self'}: no inline script or style, nothing
 * from elsewhere), {@code X-Frame-Options: DENY}, {@code Referrer-Policy: no-referrer} and {@code
 * Cache-Control: no-store}.
 */
public final class ConsoleHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleHandler.class);

  static final String PREFIX = "/console/";
  static final String COOKIE = "estuary_console";
  static final String CSP =
      "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none';"
          + " base-uri 'none'; object-src 'none'";
  private static final int MAX_FORM = 64 * 1024;
  private static final byte[] CSS = resource("console.css");

  private final ConsoleSessions sessions;
  private final LoginPage login;
  private final ConsoleRoutes routes = new ConsoleRoutes();
  private final TokenService tokens;
  private final ConsoleUserService users;
  private final Clock clock;

  /**
   * @param idleTimeout a session unused this long is ended
   */
  public ConsoleHandler(
      ConsolePages pages,
      TokenService tokens,
      ConsoleUserService users,
      Duration idleTimeout,
      SecureRandom random,
      Clock clock) {
    this.clock = clock;
    this.tokens = tokens;
    this.users = users;
    this.sessions =
        new ConsoleSessions(
            random,
            clock,
            idleTimeout,
            (s, why) -> {
              try {
                users.loggedOut(s.actor(), s.address(), why);
              } catch (RuntimeException e) {
                LOG.warn("console: the logout of {} was not audited: {}", s, e.toString());
              }
            });
    this.login = new LoginPage(sessions, tokens, users);
    pages.addTo(routes);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (path == null || !(path.equals("/console") || path.startsWith(PREFIX))) {
      return false;
    }
    var h = response.getHeaders();
    h.put("Content-Security-Policy", CSP);
    h.put("X-Frame-Options", "DENY");
    h.put("Referrer-Policy", "no-referrer");
    h.put("X-Content-Type-Options", "nosniff");
    h.put(HttpHeader.CACHE_CONTROL, "no-store");
    ConsoleSessions.Session session = null;
    try {
      if (path.equals("/console")) {
        write(response, callback, null, new Reply.Redirect(PREFIX));
        return true;
      }
      if (path.equals(PREFIX + "static/console.css") && request.getMethod().equals("GET")) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, max-age=300");
        Replies.send(response, callback, 200, "text/css; charset=utf-8", CSS);
        return true;
      }
      String address = Request.getRemoteAddr(request);
      if (path.equals(PREFIX + "login")) {
        if (request.getMethod().equals("POST")) {
          sameOrigin(request);
          Map<String, String> form = form(request);
          LoginPage.Outcome o = login.submit(address, form);
          if (o.session() != null) {
            response.getHeaders().add(HttpHeader.SET_COOKIE, cookie(o.session().id(), false));
          }
          write(response, callback, null, o.reply());
        } else {
          Optional<ConsoleSessions.Session> s = sessions.use(cookieValue(request));
          write(
              response,
              callback,
              null,
              s.isPresent()
                  ? new Reply.Redirect(PREFIX)
                  : login.page(Form.parse(request.getHttpURI().getQuery())));
        }
        return true;
      }
      Optional<ConsoleSessions.Session> found = sessions.use(cookieValue(request));
      if (found.isPresent() && !stillValid(found.get().actor())) {
        sessions.end(found.get(), "credential disabled or revoked");
        found = Optional.empty();
      }
      if (found.isEmpty()) {
        if (request.getMethod().equals("GET")) {
          write(
              response,
              callback,
              null,
              new Reply.Redirect(
                  PREFIX + "login" + (cookieValue(request) != null ? "?expired=1" : "")));
        } else {
          throw new ConsoleRefusal(
              401, "You are not logged in (or your session ended): log in again.");
        }
        return true;
      }
      session = found.get();
      Map<String, String> form = Map.of();
      if (request.getMethod().equals("POST")) {
        sameOrigin(request);
        form = form(request);
        if (!session.csrfMatches(form.get("csrf"))) {
          throw new ConsoleRefusal(
              403,
              "This form's CSRF token is missing or wrong; nothing was changed. Reload the page"
                  + " and try again.");
        }
        if (path.equals(PREFIX + "logout")) {
          sessions.logout(session);
          response.getHeaders().add(HttpHeader.SET_COOKIE, cookie("", true));
          write(response, callback, null, new Reply.Redirect(PREFIX + "login?out=1"));
          return true;
        }
      }
      ConsoleRoutes.Match m =
          routes
              .match(request.getMethod(), path)
              .orElseThrow(() -> ConsoleRefusal.notFound("There is no console page " + path));
      Call call =
          new Call(
              request,
              session,
              Form.parse(request.getHttpURI().getQuery()),
              form,
              m.params(),
              clock.instant());
      write(response, callback, session, m.handler().serve(call));
    } catch (NotPermitted n) {
      LOG.info(
          "console {} {} refused 403: {}",
          request.getMethod(),
          LogSafe.escape(path),
          n.getMessage());
      error(response, callback, session, 403, "Not permitted", n.getMessage() + ".");
    } catch (ConsoleRefusal r) {
      error(response, callback, session, r.status(), title(r.status()), r.getMessage());
    } catch (IllegalArgumentException e) {
      error(response, callback, session, 400, "Bad request", e.getMessage());
    } catch (Exception e) {
      String incident = UUID.randomUUID().toString();
      LOG.error(
          "console {} {} failed (incident {})",
          request.getMethod(),
          LogSafe.escape(path),
          incident,
          e);
      error(
          response,
          callback,
          session,
          500,
          "Internal error",
          "Something went wrong on the server (incident " + incident + ").");
    }
    return true;
  }

  /** The session's credential still holds: a console user not disabled, a token not revoked. */
  private boolean stillValid(Actor actor) {
    return actor.id().startsWith("console:") ? users.stillValid(actor) : tokens.stillValid(actor);
  }

  /** Ends sessions idle too long (called on a schedule, so their logout is audited in time). */
  public void sweep() {
    sessions.sweep(clock.instant());
  }

  /**
   * A POST comes from the console's own pages: the browser's {@code Sec-Fetch-Site} (when sent) is
   * {@code same-origin}, and its {@code Origin} (when sent and not {@code null}) is this server's.
   */
  private static void sameOrigin(Request request) throws ConsoleRefusal {
    String site = request.getHeaders().get("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      throw new ConsoleRefusal(403, "Refused: the form was sent from another site (" + site + ").");
    }
    // With Referrer-Policy: no-referrer a browser sends "Origin: null" for its own forms; then
    // Sec-Fetch-Site (above) and the CSRF token decide.
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (origin != null && !origin.equals("null")) {
      String host = request.getHeaders().get(HttpHeader.HOST);
      if (host == null || !origin.equalsIgnoreCase("https://" + host)) {
        throw new ConsoleRefusal(
            403, "Refused: the form was sent from another origin (" + origin + ").");
      }
    }
  }

  private static Map<String, String> form(Request request) throws IOException, ConsoleRefusal {
    try (InputStream in = Request.asInputStream(request)) {
      byte[] b = in.readNBytes(MAX_FORM + 1);
      if (b.length > MAX_FORM) {
        throw new ConsoleRefusal(413, "The form is larger than " + MAX_FORM + " bytes.");
      }
      return Form.parse(new String(b, StandardCharsets.UTF_8));
    }
  }

  private static String cookieValue(Request request) {
    for (HttpCookie c : Request.getCookies(request)) {
      if (c.getName().equals(COOKIE)) {
        return c.getValue();
      }
    }
    return null;
  }

  /** The session cookie: Secure, HttpOnly, SameSite=Strict, for /console/ only. */
  static String cookie(String value, boolean clear) {
    return COOKIE
        + "="
        + value
        + "; Path="
        + PREFIX
        + "; Secure; HttpOnly; SameSite=Strict"
        + (clear ? "; Max-Age=0" : "");
  }

  private void write(
      Response response, Callback callback, ConsoleSessions.Session session, Reply reply) {
    switch (reply) {
      case Reply.Page p ->
          Replies.send(
              response,
              callback,
              p.status(),
              "text/html; charset=utf-8",
              Layout.page(p.title(), p.nav(), session, p.body()).getBytes(StandardCharsets.UTF_8));
      case Reply.Redirect r ->
          Replies.send(
              response,
              callback,
              303,
              "text/plain; charset=utf-8",
              new byte[0],
              new HttpField(HttpHeader.LOCATION, r.location()));
      case Reply.Download d ->
          Replies.send(
              response,
              callback,
              200,
              d.contentType(),
              d.body(),
              new HttpField(
                  HttpHeader.CONTENT_DISPOSITION,
                  "attachment; filename=\""
                      + d.filename().replaceAll("[^A-Za-z0-9._-]", "_")
                      + "\""));
    }
  }

  private void error(
      Response response,
      Callback callback,
      ConsoleSessions.Session session,
      int status,
      String title,
      String message) {
    Html body = new Html();
    body.el("p", message, "class", "error", "role", "alert");
    if (status == 401) {
      body.open("p").a(PREFIX + "login", "Log in").close("p");
    } else if (session != null) {
      body.open("p").a(PREFIX, "Back to the overview").close("p");
    }
    write(response, callback, session, new Reply.Page(status, title, "", body));
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 401 -> "Not logged in";
      case 403 -> "Refused";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 413 -> "Too large";
      case 429 -> "Too many attempts";
      default -> "Error";
    };
  }

  private static byte[] resource(String name) {
    try (InputStream in = ConsoleHandler.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the server jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
