package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditJson;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.audit.AuditRecord;
import dev.estuary.server.audit.AuthFailureTally;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.http.Refusal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.util.URIUtil;

/**
 * The audit part of the admin API: {@code GET /api/v1/audit} (keyset pages, filters), and what the
 * admin API itself contributes to the log: its authentications (one record per actor and address
 * every {@link #AUTHENTICATION_RECORD_INTERVAL}: a "login", not every request) and its failed ones
 * (counted by {@link AuthFailureTally}).
 */
public final class AuditAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How often a token's use from one address is recorded again. */
  static final Duration AUTHENTICATION_RECORD_INTERVAL = Duration.ofMinutes(5);

  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_REMEMBERED = 10_000;

  private final AuditLog log;
  private final AuthFailureTally failures;
  private final ConcurrentHashMap<String, Instant> recordedLogins = new ConcurrentHashMap<>();

  public AuditAdmin(AuditLog log, AuthFailureTally failures) {
    this.log = log;
    this.failures = failures;
  }

  /** Serves {@code method path} (below {@code /api/v1}) when it is this part's; null otherwise. */
  JsonNode route(String method, String path, String query) throws Refusal {
    if (!path.equals("/audit")) {
      return null;
    }
    if (!method.equals("GET")) {
      throw new Refusal(405, "the audit log is read with GET; it cannot be changed");
    }
    Map<String, String> q = AdminQuery.parse(query);
    long after = longParam(q, "after", 0);
    long limit = longParam(q, "limit", DEFAULT_PAGE);
    if (limit < 1 || limit > AuditLog.MAX_PAGE) {
      throw Refusal.badRequest("'limit' must be 1 to " + AuditLog.MAX_PAGE + ", was " + limit);
    }
    AuditLog.Filter filter =
        new AuditLog.Filter(
            q.get("event"),
            q.get("actor"),
            instantParam(q, "since"),
            instantParam(q, "until"),
            q.get("subject"),
            q.get("serial") == null ? null : q.get("serial").replace(":", "").toLowerCase());
    AuditLog.Head head = log.head(); // before the page: every record up to it is in the pages
    var page = log.page(filter, after, (int) limit);
    ArrayNode records = JSON.createArrayNode();
    for (AuditRecord r : page) {
      records.add(AuditJson.json(r));
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("records", records);
    out.putObject("head").put("lastId", head.lastId()).put("lastHash", head.lastHash());
    if (page.size() == limit) {
      out.put("next", page.get(page.size() - 1).id());
    } else {
      out.putNull("next");
    }
    return out;
  }

  /**
   * Records that {@code actor} authenticated from {@code address}, unless it was recorded less than
   * {@link #AUTHENTICATION_RECORD_INTERVAL} ago.
   */
  void authenticated(String actor, String address, String method, String path) {
    Instant now = log.now();
    String key = actor + " " + address;
    Instant last = recordedLogins.get(key);
    if (last != null && now.isBefore(last.plus(AUTHENTICATION_RECORD_INTERVAL))) {
      return;
    }
    if (recordedLogins.size() >= MAX_REMEMBERED) {
      recordedLogins.clear();
    }
    recordedLogins.put(key, now);
    log.append(
        AuditEvent.of(
            now,
            AuditEvent.ADMIN_AUTHENTICATED,
            actor,
            Map.of("address", address, "request", method + " " + LogSafe.escape(path))));
  }

  /** Counts a refused admin token (recorded per address and minute). */
  void failed(String address, String reason) {
    failures.failed("admin", address, reason);
  }

  private static long longParam(Map<String, String> q, String name, long dflt) throws Refusal {
    String v = q.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw Refusal.badRequest(
          "'" + name + "' must be a whole number, was '" + LogSafe.escape(v) + "'");
    }
  }

  private static Instant instantParam(Map<String, String> q, String name) throws Refusal {
    String v = q.get(name);
    if (v == null) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw Refusal.badRequest(
          "'"
              + name
              + "' must be an RFC 3339 UTC time such as 2026-12-04T18:00:00Z, was '"
              + LogSafe.escape(v)
              + "'");
    }
  }

  /** Query strings: percent-decoded, the first of a repeated name wins. */
  static final class AdminQuery {
    private AdminQuery() {}

    static Map<String, String> parse(String query) {
      Map<String, String> out = new LinkedHashMap<>();
      if (query == null || query.isEmpty()) {
        return out;
      }
      for (String kv : query.split("&")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String k = URIUtil.decodePath(kv.substring(0, eq));
        String v = URIUtil.decodePath(kv.substring(eq + 1).replace('+', ' '));
        out.putIfAbsent(k, v);
      }
      return out;
    }
  }
}
