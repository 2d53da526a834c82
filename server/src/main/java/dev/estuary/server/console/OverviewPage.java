package dev.estuary.server.console;

import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.store.CertificateCensus;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.FleetStatistics;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The overview: certificates by label and status (the census), certificates issued per hour over
 * the last day, the expiry chart of the next 30 days, and the certificates that expired in the last
 * day without a successor. The figures ({@link FleetStatistics}, docs/console.md) are computed in
 * the background ({@link LatestFigures}): again when older than {@code statistics_max_age}, shown
 * with the time they are of; a view waits at most {@link #FIRST_WAIT} for them, and only when there
 * are none yet.
 */
final class OverviewPage {
  /**
   * The longest a view waits for the figures: only the first after a start does, when there are
   * none yet; past this it shows that they are being computed.
   */
  static final Duration FIRST_WAIT = Duration.ofMillis(500);

  private final ConsolePages pages;
  private final LatestFigures figures;

  OverviewPage(ConsolePages pages) {
    this.pages = pages;
    this.figures = new LatestFigures(pages.statisticsMaxAge(), FIRST_WAIT);
  }

  void addTo(ConsoleRoutes routes) {
    routes.get("/console/", this::overview);
  }

  private Reply overview(Call c) throws NotPermitted {
    Permission.READ_CERTIFICATES.check(c.actor());
    Optional<FleetStatistics.Snapshot> at =
        figures.at(c.now(), now -> pages.certificates().statistics(c.actor(), now));
    Html h = new Html();
    if (at.isEmpty()) {
      h.open("p", "class", "note", "id", "figures-pending")
          .text(
              "The figures are being computed (it has taken more than "
                  + FIRST_WAIT.toMillis()
                  + " ms so far); ")
          .a("/console/", "reload this page")
          .text(" in a moment to see them.")
          .close("p");
      return new Reply.Page("Overview", "overview", h);
    }
    FleetStatistics.Snapshot s = at.get();
    h.open("p", "class", "note")
        .text(
            "Figures as of "
                + Layout.time(s.at())
                + " (computed in "
                + s.took().toMillis()
                + " ms; computed again in the background when older than "
                + pages.statisticsMaxAge().toSeconds()
                + " s).")
        .close("p");

    h.raw(
        "<section aria-labelledby=\"census-h\"><h2 id=\"census-h\">Certificates by label and status</h2>");
    h.raw(
            "<table id=\"census\"><thead><tr><th scope=\"col\">Label</th><th scope=\"col\">Valid</th>")
        .raw("<th scope=\"col\">Expiring within 24 h</th><th scope=\"col\">within 7 days</th>")
        .raw("<th scope=\"col\">Expired</th><th scope=\"col\">Revoked</th></tr></thead><tbody>");
    for (CertificateCensus.LabelCounts l : s.census()) {
      h.raw("<tr>")
          .open("th", "scope", "row")
          .a("/console/certificates?label=" + Form.encode(l.label()), l.label())
          .close("th");
      num(h, l.valid());
      num(h, l.expiringWithinDay());
      num(h, l.expiringWithinWeek());
      num(h, l.expired());
      num(h, l.revoked());
      h.raw("</tr>");
    }
    if (s.census().isEmpty()) {
      h.raw("<tr><td colspan=\"6\">No certificates yet.</td></tr>");
    }
    h.raw("</tbody></table></section>");

    h.raw("<section aria-labelledby=\"expiry-h\"><h2 id=\"expiry-h\">Expiring in the next ")
        .text(FleetStatistics.CHART_DAYS)
        .raw(" days (by UTC date, stacked by label)</h2>");
    h.add(ExpiryChart.svg(s.firstDay(), s.expiring(), FleetStatistics.CHART_DAYS));
    h.raw("<details><summary>The chart as a table</summary><table id=\"expiry-table\"><thead><tr>")
        .raw("<th scope=\"col\">Date</th>");
    for (String label : s.expiring().keySet()) {
      h.el("th", label, "scope", "col");
    }
    h.raw("<th scope=\"col\">Total</th></tr></thead><tbody>");
    for (int d = 0; d < FleetStatistics.CHART_DAYS; d++) {
      long total = 0;
      h.raw("<tr>").el("th", s.firstDay().plusDays(d).toString(), "scope", "row");
      for (long[] v : s.expiring().values()) {
        num(h, v[d]);
        total += v[d];
      }
      num(h, total);
      h.raw("</tr>");
    }
    h.raw("</tbody></table></details></section>");

    h.raw(
        "<section aria-labelledby=\"hourly-h\"><h2 id=\"hourly-h\">Certificates issued per hour, last 24 hours</h2>");
    h.add(hourly(s.issuedPerHour(), s.at()));
    h.raw("</section>");

    h.raw(
        "<section aria-labelledby=\"unrenewed-h\"><h2 id=\"unrenewed-h\">Failed to renew in the last day</h2>");
    h.el(
        "p",
        s.unrenewedCount()
            + " certificate(s) expired in the last 24 hours, not revoked, with no later certificate"
            + " for the same subject in the same label: devices that did not renew in time.",
        "id",
        "unrenewed-count");
    if (!s.unrenewed().isEmpty()) {
      h.raw("<table><thead><tr><th scope=\"col\">Subject</th><th scope=\"col\">Label</th>")
          .raw("<th scope=\"col\">Expired</th><th scope=\"col\">Serial</th></tr></thead><tbody>");
      for (CertificateRecord r : s.unrenewed()) {
        h.raw("<tr>")
            .el("td", r.subject())
            .el("td", r.label())
            .el("td", Layout.time(r.notAfter()))
            .open("td")
            .a("/console/certificates/" + r.serial().toString(16), r.serial().toString(16))
            .close("td")
            .raw("</tr>");
      }
      h.raw("</tbody></table>");
    }
    h.raw("</section>");
    return new Reply.Page("Overview", "overview", h);
  }

  /** 24 bars, oldest hour first, as inline SVG with each hour's count in its title. */
  private static Html hourly(long[] perHour, Instant at) {
    long max = 1;
    for (long v : perHour) {
      max = Math.max(max, v);
    }
    long top = ExpiryChart.niceCeiling(max);
    Html h = new Html();
    h.open(
        "svg",
        "xmlns",
        "http://www.w3.org/2000/svg",
        "viewBox",
        "0 0 900 140",
        "role",
        "img",
        "aria-labelledby",
        "hourly-title",
        "id",
        "hourly-chart",
        "class",
        "chart");
    h.el(
        "title",
        "Certificates issued per hour; the last bar is the hour up to " + Layout.time(at),
        "id",
        "hourly-title");
    h.el("text", Long.toString(top), "x", "50", "y", "16", "text-anchor", "end", "class", "tick");
    h.el("text", "0", "x", "50", "y", "114", "text-anchor", "end", "class", "tick");
    for (int i = 0; i < 24; i++) {
      double hgt = 100.0 * perHour[i] / top;
      double x = 56 + i * 35.0;
      h.open("g", "class", "bar", "data-count", Long.toString(perHour[i]));
      h.empty(
          "rect",
          "x",
          String.format(Locale.ROOT, "%.1f", x),
          "y",
          String.format(Locale.ROOT, "%.1f", 110 - hgt),
          "width",
          "28",
          "height",
          String.format(Locale.ROOT, "%.1f", hgt),
          "fill",
          ExpiryChart.COLOURS.getFirst());
      h.raw("</rect>");
      h.el("title", (24 - i) + " h ago to " + (23 - i) + " h ago: " + perHour[i]);
      h.close("g");
    }
    h.el("text", "24 h ago", "x", "56", "y", "130", "class", "tick");
    h.el("text", "now", "x", "895", "y", "130", "text-anchor", "end", "class", "tick");
    h.close("svg");
    return h;
  }

  private static void num(Html h, long v) {
    h.el("td", String.format(Locale.ROOT, "%,d", v), "class", "num");
  }
}
