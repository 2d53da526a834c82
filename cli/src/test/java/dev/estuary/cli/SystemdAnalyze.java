package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** {@code systemd-analyze verify} on a unit file of packaging/, as the packaging tests run it. */
public final class SystemdAnalyze {
  private SystemdAnalyze() {}

  /** Fails unless systemd-analyze accepts {@code unit} and prints nothing about it. */
  public static void acceptsWithoutAWarning(Path unit) throws Exception {
    Path log = Files.createTempFile("systemd-analyze", ".txt");
    try {
      Process p =
          new ProcessBuilder(
                  "systemd-analyze", "verify", unit.toAbsolutePath().normalize().toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String out = Files.readString(log);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).as("systemd-analyze verify output").isBlank();
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
