package dev.estuary.cli.factory;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;

/**
 * What the batch says as it goes: on a terminal, one progress bar redrawn on standard error; else
 * one plain line per device on standard output (for a log). Failures are always a line of their own
 * on standard error.
 */
final class Progress {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final PrintStream err;
  private final boolean bar;
  private final int total;
  private int made;
  private int skipped;
  private int failed;

  Progress(PrintStream out, PrintStream err, boolean bar, int total) {
    this.out = out;
    this.err = err;
    this.bar = bar;
    this.total = total;
  }

  /** Whether standard output is a terminal (Java 22+ says so even when a console exists). */
  static boolean onTerminal() {
    Object console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // Java 21: a console means a terminal
    }
  }

  synchronized void skipped(String id, String serial) {
    skipped++;
    if (!bar) {
      out.println(id + " already made (serial " + serial + "), skipped");
    }
    redraw();
  }

  synchronized void made(String id, String serial) {
    made++;
    if (!bar) {
      out.println(id + " made (serial " + serial + ")");
    }
    redraw();
  }

  synchronized void redoing(String id, String why) {
    if (!bar) {
      out.println(id + " was half made (" + why + "): making it again");
    }
  }

  synchronized void failed(String id, String reason) {
    failed++;
    if (bar) {
      err.print("\r\033[K");
    }
    err.println(id + " failed: " + reason);
    redraw();
  }

  private void redraw() {
    if (!bar) {
      return;
    }
    int done = made + skipped + failed;
    int filled = total == 0 ? WIDTH : done * WIDTH / total;
    err.print(
        "\r["
            + "#".repeat(filled)
            + ".".repeat(WIDTH - filled)
            + "] "
            + done
            + "/"
            + total
            + "  made "
            + made
            + ", skipped "
            + skipped
            + ", failed "
            + failed);
    err.flush();
  }

  /** The last line: how the batch went. */
  synchronized String summary() {
    if (bar) {
      err.println();
    }
    return total
        + " devices: "
        + made
        + " made, "
        + skipped
        + " already made, "
        + failed
        + " failed";
  }

  synchronized int failed() {
    return failed;
  }
}
