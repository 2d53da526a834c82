package dev.estuary.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code estuary server stop}: stops the server whose server.pid is in the data directory. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description =
        "Stops the server started from a data directory (its server.pid), and waits until it has stopped.")
final class StopCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "estuary-data",
      description = "Quickstart data directory (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The server.toml the server was started with.")
  Path config;

  @Override
  public Integer call() throws Exception {
    Path dir = ServerCommand.runDirectory(config == null, dataDir, config);
    Optional<ProcessHandle> server = new PidFile(dir).running();
    if (server.isEmpty()) {
      throw new CliFailure(
          CliFailure.UNREACHABLE,
          "no server started from " + dir + " is running (no live pid in " + PidFile.NAME + ")");
    }
    ProcessHandle p = server.get();
    p.destroy();
    try {
      p.onExit().get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      p.destroyForcibly();
      throw new CliFailure(
          CliFailure.FAILED,
          "the server (pid " + p.pid() + ") did not stop within 60 s; it was killed");
    }
    System.out.println("stopped the server (pid " + p.pid() + ")");
    return 0;
  }
}
