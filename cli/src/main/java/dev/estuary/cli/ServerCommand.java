package dev.estuary.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.EstuaryServer;
import dev.estuary.server.config.ConfigException;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.quickstart.Quickstart;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
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
      "  estuary server --config server.toml  production configuration (docs/configuration.md)"
    },
    subcommands = {SecretCommand.class, BasicUserCommand.class, CertCommand.class, BindingCommand.class})
public final class ServerCommand implements Callable<Integer> {
  private static final AtomicBoolean SERVING = new AtomicBoolean();

  @Option(names = "--quickstart", description = "Create (first start) or reuse a self-contained setup in --data-dir.")
  boolean quickstart;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "server.toml to run with.")
  Path config;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "estuary-data",
      description = "Quickstart data directory (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--est-port", paramLabel = "N", description = "Device (EST) port; quickstart default 8443, 0 picks a free one.")
  Integer estPort;

  @Option(names = "--admin-port", paramLabel = "N", description = "Admin API port; quickstart default 9443, 0 picks a free one.")
  Integer adminPort;

  static boolean serving() {
    return SERVING.get();
  }

  @Override
  public Integer call() throws Exception {
    if (quickstart == (config != null)) {
      System.err.println("estuary server: give either --quickstart or --config FILE (see estuary server --help)");
      return 2;
    }
    Clock clock = Clock.systemUTC();
    Quickstart qs = null;
    Path file = config;
    boolean firstStart = false;
    if (quickstart) {
      qs = new Quickstart(dataDir, clock, new SecureRandom());
      firstStart = !qs.exists();
      if (firstStart) {
        System.err.println("estuary: first start: creating a demo CA hierarchy, keys and database in " + dataDir.toAbsolutePath());
      }
      qs.prepare();
      file = qs.configFile();
    }
    ServerConfig cfg;
    try {
      cfg = ServerConfigParser.parse(file);
    } catch (ConfigException e) {
      System.err.println("estuary server: " + e.getMessage());
      return 2;
    }
    if (estPort != null || adminPort != null) {
      cfg = cfg.withPorts(estPort != null ? estPort : cfg.est().port(), adminPort != null ? adminPort : cfg.admin().port());
    }
    EstuaryServer server;
    try {
      server = EstuaryServer.start(cfg, clock);
    } catch (Exception e) {
      System.err.println("estuary server: cannot start: " + StartupProblem.explain(e, cfg));
      return 1;
    }
    SERVING.set(true);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("estuary: error while stopping: " + e);
      }
    }, "estuary-shutdown"));
    if (qs != null) {
      ObjectNode info = qs.publish(server.estPort(), server.adminPort(), cfg.idScope());
      if (firstStart) {
        System.out.println("Quickstart credentials and URLs (kept in " + qs.infoFile() + ", mode 0600):");
        System.out.println(info.toPrettyString());
      } else {
        System.out.println("Quickstart ready; URLs and credentials are in " + qs.infoFile());
      }
      System.out.println("EST: " + info.get("est_url").asText() + "   root CA: " + info.get("root_ca").asText());
      System.out.println("Try: curl --cacert " + info.get("root_ca").asText() + " " + info.get("est_url").asText()
          + "/cacerts | openssl base64 -d | openssl pkcs7 -inform DER -print_certs");
    }
    System.out.flush();
    return 0;
  }
}
