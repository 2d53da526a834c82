package dev.estuary.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.EstuaryServer;
import dev.estuary.server.config.ConfigException;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.quickstart.Quickstart;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code estuary server}: runs the server, from a server.toml or on the quickstart defaults. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the Estuary server: EST on the device port, the admin API on the admin port.",
      "  estuary server --quickstart          embedded defaults under ./estuary-data",
      "  estuary server --quickstart --detach the same in the background, returning once it serves",
      "  estuary server --config server.toml  production configuration (docs/configuration.md)",
      "  estuary server stop                  stops the server started from ./estuary-data"
    },
    subcommands = {
      SecretCommand.class,
      BasicUserCommand.class,
      CertCommand.class,
      DeviceCommand.class,
      BindingCommand.class,
      TokenCommand.class,
      ConsoleUserCommand.class,
      StopCommand.class,
      InitCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      AuditCommand.class,
      CaCommand.class
    })
public final class ServerCommand implements Callable<Integer> {
  private static final AtomicBoolean SERVING = new AtomicBoolean();

  /** The quickstart's ports when none are given (its server.toml). */
  static final int QUICKSTART_EST_PORT = 8443;

  static final int QUICKSTART_ADMIN_PORT = 9443;

  @Option(
      names = "--quickstart",
      description = "Create (first start) or reuse a self-contained setup in --data-dir.")
  boolean quickstart;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "server.toml to run with.")
  Path config;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "estuary-data",
      description = "Quickstart data directory (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--est-port",
      paramLabel = "N",
      description = "Device (EST) port; quickstart default 8443, 0 picks a free one.")
  Integer estPort;

  @Option(
      names = "--admin-port",
      paramLabel = "N",
      description = "Admin API port; quickstart default 9443, 0 picks a free one.")
  Integer adminPort;

  @Option(
      names = "--detach",
      description = {
        "Run the server in the background and return once it serves; its output goes to server.log",
        "in the data directory (beside server.toml with --config); estuary server stop stops it."
      })
  boolean detach;

  static boolean serving() {
    return SERVING.get();
  }

  /**
   * Where the pid file and a detached server's log live: the data directory, or server.toml's
   * directory.
   */
  static Path runDirectory(boolean quickstart, Path dataDir, Path config) {
    return quickstart ? dataDir.toAbsolutePath() : config.toAbsolutePath().getParent();
  }

  @Override
  public Integer call() throws Exception {
    if (quickstart == (config != null)) {
      throw new CliFailure(
          CliFailure.USAGE,
          "give either --quickstart or --config FILE (see estuary server --help)");
    }
    Clock clock = Clock.systemUTC();
    Quickstart qs = quickstart ? new Quickstart(dataDir, clock, new SecureRandom()) : null;
    if (qs != null && !qs.exists()) {
      // A busy port stops the start before anything is created.
      requireFree(estPort != null ? estPort : QUICKSTART_EST_PORT, "EST", "--est-port");
      requireFree(adminPort != null ? adminPort : QUICKSTART_ADMIN_PORT, "admin", "--admin-port");
    }
    Path runDir = runDirectory(quickstart, dataDir, config);
    if (detach) {
      return Detached.start(runDir, childArguments(), qs != null ? qs.infoFile() : null);
    }
    Path file = config;
    boolean firstStart = false;
    if (qs != null) {
      firstStart = !qs.exists();
      if (firstStart) {
        System.err.println(
            "estuary: first start: creating a demo CA hierarchy, keys and database in "
                + dataDir.toAbsolutePath());
      }
      qs.prepare();
      file = qs.configFile();
    }
    ServerConfig cfg;
    try {
      cfg = ServerConfigParser.parse(file);
    } catch (ConfigException e) {
      throw new CliFailure(CliFailure.USAGE, e.getMessage(), e);
    }
    if (estPort != null || adminPort != null) {
      cfg =
          cfg.withPorts(
              estPort != null ? estPort : cfg.est().port(),
              adminPort != null ? adminPort : cfg.admin().port());
    }
    EstuaryServer server;
    try {
      server = EstuaryServer.start(cfg, clock);
    } catch (Exception e) {
      throw new CliFailure(CliFailure.FAILED, "cannot start: " + StartupProblem.explain(e, cfg), e);
    }
    SERVING.set(true);
    PidFile pid = new PidFile(runDir);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    System.err.println(
                        "estuary: error while stopping: " + OneLineErrors.sentence(e));
                  }
                  pid.deleteIfOurs();
                },
                "estuary-shutdown"));
    if (qs != null) {
      ObjectNode info = qs.publish(server.estPort(), server.adminPort(), cfg.idScope());
      System.out.println(
          "Quickstart credentials and URLs (kept in " + qs.infoFile() + ", mode 0600):");
      System.out.println(info.toPrettyString());
      if (!firstStart) {
        System.out.println(
            "(the same CAs, keys, database and credentials as before: "
                + dataDir.toAbsolutePath()
                + ")");
      }
      System.out.println(
          "EST: " + info.get("est_url").asText() + "   root CA: " + info.get("root_ca").asText());
      System.out.println(
          "Try: curl --cacert "
              + info.get("root_ca").asText()
              + " "
              + info.get("est_url").asText()
              + "/cacerts | openssl base64 -d | openssl pkcs7 -inform DER -print_certs");
    }
    System.out.flush();
    // Last: a detaching parent waits for this file, and then reads quickstart.json.
    pid.write();
    return 0;
  }

  /** The arguments of the same command without --detach, for the background process. */
  private List<String> childArguments() {
    List<String> args = new ArrayList<>(List.of("server"));
    if (quickstart) {
      args.addAll(List.of("--quickstart", "--data-dir", dataDir.toAbsolutePath().toString()));
    } else {
      args.addAll(List.of("--config", config.toAbsolutePath().toString()));
    }
    if (estPort != null) {
      args.addAll(List.of("--est-port", estPort.toString()));
    }
    if (adminPort != null) {
      args.addAll(List.of("--admin-port", adminPort.toString()));
    }
    return args;
  }

  /** Fails when something already listens on {@code port} on the loopback address. */
  static void requireFree(int port, String which, String option) {
    if (port == 0) {
      return;
    }
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
    } catch (IOException e) {
      throw new CliFailure(
          CliFailure.FAILED,
          "cannot start: the "
              + which
              + " port 127.0.0.1:"
              + port
              + " is already in use: is another server running? Choose another with "
              + option
              + " (nothing was created)");
    }
  }
}
