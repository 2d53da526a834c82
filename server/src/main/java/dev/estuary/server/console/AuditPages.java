package dev.estuary.server.console;

import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.audit.AuditRecord;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * The audit log, newest first, with filters (event, actor, subject, serial, from/to date) in keyset
 * pages, and the chain's verification on request (it reads every record: a button, not on every
 * view).
 */
final class AuditPages {
  static final int PAGE = 100;

  private final ConsolePages pages;

  AuditPages(ConsolePages pages) {
    this.pages = pages;
  }

  void addTo(ConsoleRoutes routes) {
    routes.get("/console/audit", this::log).get("/console/audit/verify", this::verify);
  }

  private Reply log(Call c) throws NotPermitted, ConsoleRefusal {
    Permission.READ_AUDIT_LOG.check(c.actor());
    long before = Long.MAX_VALUE;
    if (c.q("before") != null) {
      try {
        before = Long.parseLong(c.q("before"));
      } catch (NumberFormatException e) {
        throw ConsoleRefusal.badRequest("'before' is a record id.");
      }
    }
    String serial =
        c.q("serial") == null ? null : c.q("serial").replace(":", "").toLowerCase(Locale.ROOT);
    AuditLog.Filter filter =
        new AuditLog.Filter(
            c.q("event"),
            c.q("actor"),
            day(c.q("from"), "from", 0),
            day(c.q("to"), "to", 1),
            c.q("subject"),
            serial);
    List<AuditRecord> records = pages.audit().latest(filter, before, PAGE);
    Html h = new Html();
    h.open(
        "form", "method", "get", "action", "/console/audit", "class", "search", "role", "search");
    input(h, "event", "Event", c.q("event"), "certificate.revoked");
    input(h, "actor", "Actor", c.q("actor"), "console:alice");
    input(h, "subject", "Subject", c.q("subject"), null);
    input(h, "serial", "Serial", c.q("serial"), null);
    h.el("label", "From (UTC date)", "for", "from");
    h.empty("input", "type", "date", "id", "from", "name", "from", "value", c.q("from"));
    h.el("label", "To (UTC date, inclusive)", "for", "to");
    h.empty("input", "type", "date", "id", "to", "name", "to", "value", c.q("to"));
    h.raw("<button type=\"submit\" id=\"filter\">Filter</button></form>");
    h.open("p")
        .el(
            "a",
            "Verify the chain",
            "href",
            "/console/audit/verify",
            "id",
            "verify",
            "class",
            "button")
        .close("p");
    h.raw(
            "<table id=\"audit\"><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Time</th><th scope=\"col\">Event</th>")
        .raw(
            "<th scope=\"col\">Actor</th><th scope=\"col\">Label</th><th scope=\"col\">Subject</th><th scope=\"col\">Serial</th>")
        .raw("<th scope=\"col\">Details</th></tr></thead><tbody>");
    for (AuditRecord r : records) {
      h.raw("<tr>")
          .el("td", r.id(), "class", "num")
          .el("td", Layout.time(r.at()))
          .el("td", r.event(), "class", "event")
          .el("td", r.actor())
          .el("td", r.label())
          .el("td", r.subject())
          .open("td");
      if (r.serial() != null) {
        h.a("/console/certificates/" + r.serial(), r.serial());
      }
      h.close("td").el("td", r.details(), "class", "details").raw("</tr>");
    }
    if (records.isEmpty()) {
      h.raw("<tr><td colspan=\"8\">No record matches.</td></tr>");
    }
    h.raw("</tbody></table>");
    if (records.size() == PAGE) {
      StringBuilder next = new StringBuilder("/console/audit?");
      for (String k : List.of("event", "actor", "subject", "serial", "from", "to")) {
        if (c.q(k) != null) {
          next.append(k).append('=').append(Form.encode(c.q(k))).append('&');
        }
      }
      next.append("before=").append(records.getLast().id());
      h.open("p").el("a", "Older →", "href", next.toString(), "rel", "next").close("p");
    }
    return new Reply.Page("Audit log", "audit", h);
  }

  private Reply verify(Call c) throws NotPermitted {
    Permission.READ_AUDIT_LOG.check(c.actor());
    AuditLog.Verification v = pages.audit().verify();
    Html h = new Html();
    if (v.ok()) {
      h.el(
          "p",
          "The chain is intact: " + v.records() + " records, each linked to the one before.",
          "class",
          "ok",
          "id",
          "chain-result",
          "role",
          "status");
      h.raw("<dl class=\"fields\">");
      CertificatePages.dt(
          h,
          "Head hash (note it: a later verification must lead through it)",
          v.headHash(),
          "head-hash");
      h.raw("</dl>");
    } else {
      h.el(
          "p",
          "The chain is broken at record " + v.badId() + ": " + v.problem(),
          "class",
          "error",
          "id",
          "chain-result",
          "role",
          "alert");
    }
    h.open("p").a("/console/audit", "Back to the audit log").close("p");
    return new Reply.Page("Audit chain verification", "audit", h);
  }

  private static Instant day(String text, String name, int plusDays) throws ConsoleRefusal {
    if (text == null) {
      return null;
    }
    try {
      return LocalDate.parse(text).plusDays(plusDays).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw ConsoleRefusal.badRequest("'" + name + "' is a date such as 2026-12-04.");
    }
  }

  private static void input(Html h, String name, String label, String value, String placeholder) {
    h.el("label", label, "for", name);
    h.empty("input", "id", name, "name", name, "value", value, "placeholder", placeholder);
  }
}
