package dev.estuary.sim;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.AgentConfigParser;
import dev.estuary.agent.config.ConfigParseResult;
import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.daemon.AfterTick;
import dev.estuary.agent.daemon.Agent;
import dev.estuary.agent.daemon.AgentDaemon;
import dev.estuary.agent.json.JsonObject;
import dev.estuary.agent.provisioning.Provisioner;
import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.store.CertificateFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One simulated device: the real agent ({@link Agent#open} with the device's own config.toml, key
 * files, state directory and renewal engine) and the daemon that drives it, stepped by the
 * simulator's scheduler instead of sleeping in a thread of its own.
 *
 * <p>This is the only class of the simulator that uses the agent's API, so that a change of the
 * agent's daemon (a factory such as {@code AgentDaemon.of(Agent)} with public {@code step()} and
 * {@code nextWakeUp()}) is adapted here alone.
 */
final class SimAgent implements AutoCloseable {
  /** The credentials a device renews (the seed's config.toml): its identity and its Edge CA. */
  static final List<String> RENEWED = List.of(EstCertificate.DEVICE_ID, EstCertificate.EDGE_CA);

  /** What one attempt of the renewal engine came to. */
  record Attempt(String credential, boolean renewed, String failureKind, String reason) {}

  /** The device's registration with the provisioning service, as its state file says. */
  record Registration(
      String status, String hub, String certificateSha256, String registeredAt, String lastError) {
    boolean assigned() {
      return "assigned".equals(status);
    }
  }

  private final Agent agent;
  private final AgentDaemon daemon;
  private final Optional<Provisioner> provisioner;
  private final CertificateFiles certs;
  private final SimClock clock;

  private SimAgent(Agent agent, Optional<Provisioner> provisioner, Path stateDir, SimClock clock) {
    this.agent = agent;
    this.provisioner = provisioner;
    this.daemon = new AgentDaemon(agent, provisioner.stream().map(p -> (AfterTick) p).toList());
    this.certs = new CertificateFiles(stateDir.resolve("certs"));
    this.clock = clock;
  }

  /**
   * Opens the agent of {@code configFile} with its state in {@code stateDir}.
   *
   * @throws IllegalArgumentException naming the config file's problems
   */
  static SimAgent open(Path configFile, Path stateDir, SimClock clock) throws IOException {
    ConfigParseResult parsed = AgentConfigParser.parse(configFile);
    if (parsed.config().isEmpty()) {
      throw new IllegalArgumentException(
          configFile
              + ": "
              + parsed.errors().stream().map(Object::toString).collect(Collectors.joining("; ")));
    }
    AgentConfig config = parsed.config().get().withStateDir(stateDir);
    Agent agent = Agent.open(config, clock);
    return new SimAgent(agent, Provisioner.forAgent(agent, clock), stateDir, clock);
  }

  /** One pass of the daemon: due renewals, then the registration; what was attempted. */
  List<Attempt> step() throws IOException {
    List<Attempt> out = new ArrayList<>();
    for (CredentialStatus s : daemon.step()) {
      RenewalOutcome o = s.lastOutcome().orElse(null);
      if (o instanceof RenewalOutcome.Renewed) {
        out.add(new Attempt(s.id(), true, "", ""));
      } else if (o instanceof RenewalOutcome.Failed f) {
        out.add(new Attempt(s.id(), false, f.kind().description(), f.reason()));
      } else if (o instanceof RenewalOutcome.Suspended p) {
        out.add(new Attempt(s.id(), false, "suspended", p.reason()));
      }
    }
    return out;
  }

  /**
   * When the daemon wants its next step, in real time: the earliest of the engine's next attempt
   * and the provisioner's, a day from now at the latest (as the daemon's own loop).
   */
  Instant nextWakeUp() {
    Instant now = clock.instant();
    Instant next = now.plus(Duration.ofDays(1));
    List<Optional<Instant>> wanted = new ArrayList<>();
    wanted.add(agent.engine().nextWakeUp());
    provisioner.ifPresent(p -> wanted.add(p.nextWakeUp()));
    for (Optional<Instant> t : wanted) {
      if (t.isPresent() && t.get().isBefore(next)) {
        next = t.get();
      }
    }
    return clock.real(next);
  }

  /** The chains the device holds now (leaf first), by credential, as on its disk. */
  Map<String, List<X509Certificate>> certificates() throws IOException {
    Map<String, List<X509Certificate>> out = new LinkedHashMap<>();
    for (String id : RENEWED) {
      certs.read(id).filter(c -> !c.isEmpty()).ifPresent(c -> out.put(id, c));
    }
    return out;
  }

  /** The registration as the state file says, if the device ever tried. */
  Optional<Registration> registration() {
    return agent
        .state()
        .section("provisioning")
        .map(
            (JsonObject p) ->
                new Registration(
                    p.text("status", ""),
                    p.text("assigned_hub", ""),
                    p.text("certificate_sha256", ""),
                    p.text("registered_at", ""),
                    p.text("last_error", "")));
  }

  /** The roots the agent trusts for the server now, including those it learned. */
  List<X509Certificate> trustedRoots() {
    return agent.trustAnchors();
  }

  @Override
  public void close() {
    agent.close();
  }
}
