package dev.estuary.cli.demo;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.AgentConfigParser;
import dev.estuary.agent.config.ConfigParseResult;
import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.daemon.Agent;
import dev.estuary.agent.daemon.AgentDaemon;
import dev.estuary.agent.provisioning.DpsClient;
import dev.estuary.agent.state.AgentState;
import dev.estuary.agent.state.CredentialSchedule;
import dev.estuary.agent.state.ProvisioningState;
import dev.estuary.agent.state.StateFile;
import dev.estuary.agent.store.CertificateFiles;
import dev.estuary.pki.Pem;
import dev.estuary.server.EstuaryServer;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.quickstart.Quickstart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code estuary demo}: the seed's whole story on one machine in about a minute — a quickstart
 * server, a factory IDevID made with the bootstrap secret, the agent with the seed's config.toml
 * obtaining its EST identity, device identity and Edge CA, registering with the provisioning
 * service, then an automatic renewal of the short-lived device identity and the re-registration
 * that follows. Everything lives in a temporary directory, removed at the end.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Plays the seed's story end to end in about a minute, in a temporary directory, and cleans up.",
      "Server, factory IDevID, agent with the seed's config.toml, EST identity, device identity,",
      "Edge CA, registration with the provisioning service, automatic renewal, re-registration."
    })
public final class DemoCommand implements Callable<Integer> {
  /** The longest the demo waits for the renewal and re-registration. */
  static final Duration LIMIT = Duration.ofMinutes(3);

  @Option(
      names = "--device-id-validity",
      defaultValue = "1m",
      paramLabel = "DURATION",
      description =
          "Lifetime of device identity certificates in the demo (default: ${DEFAULT-VALUE}); renewal comes at 80%%.")
  String validity;

  @Option(
      names = "--keep",
      description =
          "Keep the demo's directory (server data, device files, agent state) and print where it is.")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.WARN);
    Path dir = Files.createTempDirectory("estuary-demo-");
    Timeline t = new Timeline(System.out, Instant.now());
    try {
      return play(dir, t);
    } finally {
      if (keep) {
        t.note("kept: " + dir);
      } else {
        deleteTree(dir);
        t.note("cleaned up " + dir);
      }
    }
  }

  private int play(Path dir, Timeline t) throws Exception {
    Clock clock = Clock.systemUTC();
    t.event(
        "demo", "working in " + dir + "; creating a quickstart CA hierarchy, keys and database");
    Quickstart quickstart = new Quickstart(dir.resolve("server"), clock, new SecureRandom());
    quickstart.prepare();
    String toml = Files.readString(quickstart.configFile());
    Files.writeString(
        quickstart.configFile(),
        toml.replace("validity = \"7d\"", "validity = \"" + validity + "\""));
    ServerConfig config = ServerConfigParser.parse(quickstart.configFile()).withPorts(0, 0);
    try (EstuaryServer server = EstuaryServer.start(config, clock)) {
      JsonNode info = quickstart.publish(server.estPort(), server.adminPort(), config.idScope());
      t.event(
          "server",
          "quickstart server up: EST and provisioning on "
              + info.get("dps_global_endpoint").asText()
              + ", ID scope "
              + info.get("id_scope").asText()
              + ", device identities live "
              + validity);

      Path device = Files.createDirectories(dir.resolve("device"));
      X509Certificate root =
          Pem.certificates(Files.readString(Path.of(info.get("root_ca").asText()))).getFirst();
      X509Certificate idevid =
          Factory.makeIdevid(
              info.get("est_url").asText(), root, info.get("factory_secret").asText(), device);
      t.event(
          "factory",
          "IDevID "
              + idevid.getSubjectX500Principal().getName()
              + " issued with the bootstrap secret (serial "
              + idevid.getSerialNumber().toString(16)
              + ")");

      Path configFile = device.resolve("config.toml");
      Files.writeString(configFile, SeedConfig.pointedAt(info, device));
      ConfigParseResult parsed = AgentConfigParser.parse(configFile);
      if (parsed.config().isEmpty()) {
        parsed.errors().forEach(e -> t.note(e.toString()));
        return 1;
      }
      AgentConfig agentConfig = parsed.config().get().withStateDir(device.resolve("state"));
      t.event(
          "device",
          "the seed's config.toml, URLs pointed at this server: valid (" + configFile + ")");
      return runAgent(agentConfig, clock, t);
    }
  }

  private static int runAgent(AgentConfig config, Clock clock, Timeline t) throws Exception {
    try (Agent agent = Agent.open(config, clock)) {
      AgentDaemon daemon = AgentDaemon.of(agent);
      Thread loop =
          Thread.ofPlatform()
              .name("estuary-demo-agent")
              .daemon()
              .start(
                  () -> {
                    try {
                      daemon.run();
                    } catch (Exception e) {
                      t.event("agent", "stopped: " + e);
                    }
                  });
      t.event("agent", "started (threshold 80%, retry 4%, rotate_key on)");
      try {
        return watch(config.agent().stateDir(), t);
      } finally {
        daemon.stop();
        loop.join(Duration.ofSeconds(30));
      }
    }
  }

  /**
   * Narrates what the agent does, from its state directory, until the renewal has been
   * re-registered.
   */
  private static int watch(Path stateDir, Timeline t) throws Exception {
    CertificateFiles certs = new CertificateFiles(stateDir.resolve("certs"));
    Map<String, X509Certificate> seen = new HashMap<>();
    String registered = "";
    boolean renewed = false;
    Instant deadline = Instant.now().plus(LIMIT);
    while (Instant.now().isBefore(deadline)) {
      for (String id :
          List.of(EstCertificate.EST_ID, EstCertificate.DEVICE_ID, EstCertificate.EDGE_CA)) {
        Optional<X509Certificate> leaf = certs.read(id).map(List::getFirst);
        if (leaf.isEmpty() || leaf.get().equals(seen.get(id))) {
          continue;
        }
        X509Certificate before = seen.put(id, leaf.get());
        if (before == null) {
          t.event("agent", id + ": " + describe(leaf.get()));
        } else {
          renewed |= id.equals(EstCertificate.DEVICE_ID);
          t.event(
              "agent",
              id
                  + ": renewed automatically, "
                  + (before.getPublicKey().equals(leaf.get().getPublicKey())
                      ? "same key"
                      : "new key")
                  + ", serial "
                  + leaf.get().getSerialNumber().toString(16)
                  + ", valid until "
                  + leaf.get().getNotAfter().toInstant());
        }
      }
      ProvisioningState p = StateFile.read(stateDir).flatMap(AgentState::provisioning).orElse(null);
      if (p != null
          && ProvisioningState.ASSIGNED.equals(p.status())
          && !p.certificateSha256().orElse("").equals(registered)) {
        registered = p.certificateSha256().orElse("");
        t.event(
            "agent",
            "registered with the provisioning service: hub "
                + p.assignedHub().orElse("")
                + ", device id "
                + p.deviceId().orElse("")
                + " ("
                + p.substatus().orElse("")
                + ")");
        if (renewed
            && registered.equals(DpsClient.thumbprint(seen.get(EstCertificate.DEVICE_ID)))) {
          t.event(
              "demo",
              "done: birth certificate -> EST identity -> device identity + Edge CA -> hub, renewed and re-registered with no person in the loop");
          return 0;
        }
        if (!renewed) {
          X509Certificate id = seen.get(EstCertificate.DEVICE_ID);
          t.note(
              "waiting for the automatic renewal of device-id at 80% of its life (around "
                  + StateFile.read(stateDir)
                      .flatMap(s -> s.schedule(EstCertificate.DEVICE_ID))
                      .flatMap(CredentialSchedule::renewalTime)
                      .map(Object::toString)
                      .orElse("?")
                  + ", it expires "
                  + (id == null ? "?" : id.getNotAfter().toInstant())
                  + ")");
        }
      }
      Thread.sleep(200);
    }
    t.event(
        "demo",
        "FAILED: no renewal and re-registration within "
            + LIMIT.toMinutes()
            + " minutes; `--keep` leaves the files to look at");
    return 1;
  }

  private static String describe(X509Certificate c) {
    String what =
        c.getBasicConstraints() >= 0 ? "CA:TRUE pathlen " + c.getBasicConstraints() : "clientAuth";
    return c.getSubjectX500Principal().getName()
        + " ("
        + what
        + "), issued by "
        + c.getIssuerX500Principal().getName()
        + ", valid until "
        + c.getNotAfter().toInstant();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
