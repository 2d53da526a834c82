package dev.estuary.sim;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The run as a PNG, drawn with Java2D (no dependency): renewals per simulated minute (bars), and
 * below, on the same time axis, the devices holding a valid certificate and those without one
 * (lines), with the scenario's events marked.
 */
final class Chart {
  private static final int W = 1200;
  private static final int H = 700;
  private static final int LEFT = 80;
  private static final int RIGHT = 30;

  private Chart() {}

  static void write(
      Path file,
      String title,
      Map<Long, Long> perMinute,
      List<Stats.Sample> samples,
      List<Report.EventRecord> events,
      int devices,
      long durationSeconds)
      throws IOException {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, LEFT, 28);
    double minutes = Math.max(1, durationSeconds / 60.0);
    int plotW = W - LEFT - RIGHT;

    // Top panel: renewals per minute.
    int top1 = 60;
    int h1 = 260;
    long maxRate =
        Math.max(1, perMinute.values().stream().mapToLong(Long::longValue).max().orElse(1));
    axes(g, top1, h1, "renewals / simulated minute", maxRate, minutes);
    g.setColor(new Color(70, 130, 180));
    double barW = Math.max(1, plotW / minutes - 1);
    for (Map.Entry<Long, Long> e : perMinute.entrySet()) {
      int x = LEFT + (int) (plotW * e.getKey() / minutes);
      int bh = (int) (h1 * e.getValue() / (double) maxRate);
      g.fillRect(x, top1 + h1 - bh, (int) barW, bh);
    }

    // Bottom panel: devices with and without a valid certificate.
    int top2 = 380;
    int h2 = 260;
    axes(g, top2, h2, "devices", Math.max(1, devices), minutes);
    line(g, samples, top2, h2, devices, minutes, true, new Color(46, 139, 87));
    line(g, samples, top2, h2, devices, minutes, false, new Color(200, 30, 30));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(new Color(46, 139, 87));
    g.drawString("enrolled (holding both certificates)", LEFT + 10, top2 + 16);
    g.setColor(new Color(200, 30, 30));
    g.drawString("without a valid certificate", LEFT + 260, top2 + 16);

    // Events.
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    int n = 0;
    for (Report.EventRecord e : events) {
      int x = LEFT + (int) (plotW * (e.atSimulatedSeconds() / 60.0) / minutes);
      g.setColor(new Color(150, 150, 150));
      g.setStroke(
          new BasicStroke(
              1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {4, 4}, 0));
      g.drawLine(x, top1, x, top2 + h2);
      g.setStroke(new BasicStroke(1));
      g.setColor(Color.DARK_GRAY);
      String label = e.event().length() > 28 ? e.event().substring(0, 28) + "…" : e.event();
      g.drawString(label, x + 2, top1 + 12 + (n++ % 8) * 12);
    }
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString("simulated minutes", W / 2 - 40, H - 12);
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static void axes(Graphics2D g, int top, int h, String label, long max, double minutes) {
    int plotW = W - LEFT - RIGHT;
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1));
    g.drawLine(LEFT, top, LEFT, top + h);
    g.drawLine(LEFT, top + h, LEFT + plotW, top + h);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    g.drawString(String.valueOf(max), 5, top + 10);
    g.drawString("0", LEFT - 15, top + h);
    g.drawString(label, 5, top - 6);
    int step = (int) Math.max(1, Math.ceil(minutes / 15));
    for (int m = 0; m <= minutes; m += step) {
      int x = LEFT + (int) (plotW * m / minutes);
      g.drawLine(x, top + h, x, top + h + 4);
      g.drawString(String.valueOf(m), x - 4, top + h + 16);
    }
  }

  private static void line(
      Graphics2D g,
      List<Stats.Sample> samples,
      int top,
      int h,
      int devices,
      double minutes,
      boolean enrolled,
      Color c) {
    int plotW = W - LEFT - RIGHT;
    g.setColor(c);
    g.setStroke(new BasicStroke(2));
    int px = -1;
    int py = -1;
    for (Stats.Sample s : samples) {
      double m = s.simulatedSinceStart().toMillis() / 60000.0;
      int x = LEFT + (int) (plotW * m / minutes);
      int v = enrolled ? s.enrolled() : s.devicesWithoutValid();
      int y = top + h - (int) (h * v / (double) Math.max(1, devices));
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      }
      px = x;
      py = y;
    }
  }
}
