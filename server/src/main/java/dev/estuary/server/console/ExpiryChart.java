package dev.estuary.server.console;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The renewal-cliff chart: valid certificates by the UTC date they expire on, one stacked bar per
 * day, one colour per label; inline SVG rendered on the server (no script, nothing fetched). Each
 * bar carries its date and total ({@code data-day}, {@code data-total}) and a {@code <title>} with
 * the counts per label (a tooltip, and what a screen reader reads).
 */
final class ExpiryChart {
  /** Colour-blind-safe colours (Okabe–Ito), each with at least 3:1 contrast on white. */
  static final List<String> COLOURS =
      List.of("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000");

  private static final int WIDTH = 900;
  private static final int HEIGHT = 260;
  private static final int LEFT = 56;
  private static final int BOTTOM = 40;
  private static final int TOP = 12;

  private ExpiryChart() {}

  static Html svg(LocalDate firstDay, Map<String, long[]> perLabel, int days) {
    long[] totals = new long[days];
    perLabel
        .values()
        .forEach(
            v -> {
              for (int d = 0; d < days; d++) {
                totals[d] += v[d];
              }
            });
    long max = 1;
    for (long t : totals) {
      max = Math.max(max, t);
    }
    long scaleMax = niceCeiling(max);
    int plotH = HEIGHT - BOTTOM - TOP;
    double slot = (WIDTH - LEFT - 8) / (double) days;
    double barW = slot * 0.75;
    Html h = new Html();
    h.open(
        "svg",
        "xmlns",
        "http://www.w3.org/2000/svg",
        "viewBox",
        "0 0 " + WIDTH + " " + HEIGHT,
        "role",
        "img",
        "aria-labelledby",
        "expiry-title",
        "id",
        "expiry-chart",
        "class",
        "chart");
    h.el(
        "title",
        "Valid certificates by expiry date, next " + days + " days, stacked by label",
        "id",
        "expiry-title");
    // y axis: 0, half, max
    for (long tick : new long[] {0, scaleMax / 2, scaleMax}) {
      double y = TOP + plotH - plotH * (tick / (double) scaleMax);
      h.empty(
          "line",
          "x1",
          Integer.toString(LEFT),
          "x2",
          Integer.toString(WIDTH - 4),
          "y1",
          fmt(y),
          "y2",
          fmt(y),
          "class",
          "grid");
      h.raw("</line>");
      h.el(
          "text",
          Long.toString(tick),
          "x",
          Integer.toString(LEFT - 6),
          "y",
          fmt(y + 4),
          "text-anchor",
          "end",
          "class",
          "tick");
    }
    String[] labels = perLabel.keySet().toArray(new String[0]);
    for (int d = 0; d < days; d++) {
      LocalDate day = firstDay.plusDays(d);
      double x = LEFT + d * slot + (slot - barW) / 2;
      StringBuilder tip = new StringBuilder(day + ": " + totals[d] + " expiring");
      h.open(
          "g", "class", "bar", "data-day", day.toString(), "data-total", Long.toString(totals[d]));
      double y = TOP + plotH;
      for (int l = 0; l < labels.length; l++) {
        long n = perLabel.get(labels[l])[d];
        if (n == 0) {
          continue;
        }
        tip.append("; ").append(labels[l]).append(' ').append(n);
        double hgt = plotH * (n / (double) scaleMax);
        y -= hgt;
        h.empty(
            "rect",
            "x",
            fmt(x),
            "y",
            fmt(y),
            "width",
            fmt(barW),
            "height",
            fmt(hgt),
            "fill",
            COLOURS.get(l % COLOURS.size()),
            "data-label",
            labels[l],
            "data-count",
            Long.toString(n));
        h.raw("</rect>");
      }
      h.el("title", tip.toString());
      h.close("g");
      if (d % 5 == 0) {
        h.el(
            "text",
            day.getMonthValue() + "-" + String.format("%02d", day.getDayOfMonth()),
            "x",
            fmt(x + barW / 2),
            "y",
            Integer.toString(HEIGHT - BOTTOM + 16),
            "text-anchor",
            "middle",
            "class",
            "tick");
      }
    }
    h.close("svg");
    // the legend
    h.open("ul", "class", "legend", "aria-label", "Labels");
    for (int l = 0; l < labels.length; l++) {
      h.open("li")
          .open("svg", "width", "12", "height", "12", "aria-hidden", "true")
          .empty("rect", "width", "12", "height", "12", "fill", COLOURS.get(l % COLOURS.size()))
          .raw("</rect></svg>")
          .text(" " + labels[l])
          .close("li");
    }
    h.close("ul");
    return h;
  }

  /** 1, 2, 5 × 10^n at or above {@code v}. */
  static long niceCeiling(long v) {
    long p = 1;
    while (true) {
      for (long m : new long[] {1, 2, 5}) {
        if (m * p >= v) {
          return m * p;
        }
      }
      p *= 10;
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
