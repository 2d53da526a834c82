package dev.estuary.server.it;

import dev.estuary.server.testing.QuickstartServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A quickstart server in its own JVM, for {@link RestartTest}: starts on the data directory given
 * as the only argument and prints {@code READY <est port> <admin port>}; stops gracefully and
 * prints {@code STOPPED} when a line {@code stop} (or end of input) arrives on stdin. A parent that
 * dies closes stdin, so an orphan cannot outlive its test; it also exits after {@link
 * #LIFETIME_MS}.
 */
public final class ChildServer {
  static final String READY = "READY ";
  static final String STOPPED = "STOPPED";
  static final long LIFETIME_MS = 180_000;

  private ChildServer() {}

  public static void main(String[] args) throws Exception {
    QuickstartServer server = QuickstartServer.start(Path.of(args[0]));
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try {
                Thread.sleep(LIFETIME_MS);
              } catch (InterruptedException e) {
                return;
              }
              System.err.println("ChildServer: lifetime exceeded, halting");
              Runtime.getRuntime().halt(3);
            });
    System.out.println(READY + server.estPort() + " " + server.server().adminPort());
    System.out.flush();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.strip().equals("stop")) {
          break;
        }
      }
    }
    server.close();
    System.out.println(STOPPED);
    System.out.flush();
    System.exit(0);
  }
}
