package dev.estuary.cli.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/** Prints the demo's story: {@code +12.3 s actor what happened}. */
final class Timeline {
  private final PrintStream out;
  private final Instant start;

  Timeline(PrintStream out, Instant start) {
    this.out = out;
    this.start = start;
  }

  void event(String actor, String what) {
    long ms = Duration.between(start, Instant.now()).toMillis();
    out.printf("%+7.1f s  %-8s %s%n", ms / 1000.0, actor, what);
    out.flush();
  }

  void note(String text) {
    out.println("           " + text);
    out.flush();
  }
}
