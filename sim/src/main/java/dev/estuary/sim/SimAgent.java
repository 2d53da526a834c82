package dev.estuary.sim;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.AgentConfigParser;
import dev.estuary.agent.config.ConfigParseResult;
import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.daemon.Agent;
import dev.estuary.agent.daemon.AgentDaemon;
import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.state.ProvisioningState;
import dev.estuary.agent.store.CertificateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>This is the only class of the simulator that uses the agent's API ({@link AgentDaemon#of}, its
 * public {@code step()} and {@code nextWakeUp()}, the agent's typed provisioning state), so a
 * change of that API is adapted here alone.
 */
final class SimAgent implements AutoCloseable {
  /** The credentials a device renews (the seed's config.toml): its identity and its Edge CA. */
  static final List<String> RENEWED = List.of(EstCertificate.DEVICE_ID, EstCertificate.EDGE_CA);

  /** The name of a registration with the provisioning service in a step's attempts. */
  static final String REGISTRATION = "registration";

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
  private final CertificateFiles certs;
  private final SimClock clock;

  private SimAgent(Agent agent, Path stateDir, SimClock clock) {
    this.agent = agent;
    this.daemon = AgentDaemon.of(agent);
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
    return new SimAgent(agent, stateDir, clock);
  }

  /**
   * One pass of the daemon: due renewals, then the registration; what was attempted (the
   * registration as {@link #REGISTRATION}, when the step made an attempt).
   */
  List<Attempt> step() throws IOException {
    List<Attempt> out = new ArrayList<>();
    Optional<Instant> registeredBefore = lastRegistrationAttempt();
    List<CredentialStatus> attempted = daemon.step();
    for (CredentialStatus s : attempted) {
      RenewalOutcome o = s.lastOutcome().orElse(null);
      if (o instanceof RenewalOutcome.Renewed) {
        out.add(new Attempt(s.id(), true, "", ""));
      } else if (o instanceof RenewalOutcome.Failed f) {
        out.add(new Attempt(s.id(), false, f.kind().description(), f.reason()));
      } else if (o instanceof RenewalOutcome.Suspended p) {
        out.add(new Attempt(s.id(), false, "suspended", p.reason()));
      }
    }
    if (!lastRegistrationAttempt().equals(registeredBefore)) {
      Optional<Registration> r = registration();
      boolean assigned = r.map(Registration::assigned).orElse(false);
      out.add(
          new Attempt(
              REGISTRATION,
              assigned,
              assigned ? "" : "registration",
              r.map(Registration::lastError).orElse("")));
    }
    return out;
  }

  private Optional<Instant> lastRegistrationAttempt() {
    return agent.provisioning().flatMap(ProvisioningState::lastAttempt);
  }

  /**
   * When the daemon wants its next step (the engine's earliest due time: a renewal, a retry, the
   * registration), a day from now at the latest, in real time.
   */
  Instant nextWakeUp() {
    Instant cap = clock.instant().plus(Duration.ofDays(1));
    Instant next = daemon.nextWakeUp();
    return clock.real(next.isBefore(cap) ? next : cap);
  }

  /** The chains the device holds now (leaf first), by credential, as on its disk. */
  Map<String, List<X509Certificate>> certificates() throws IOException {
    Map<String, List<X509Certificate>> out = new LinkedHashMap<>();
    for (String id : RENEWED) {
      certs.read(id).filter(c -> !c.isEmpty()).ifPresent(c -> out.put(id, c));
    }
    return out;
  }

  /**
   * Which file credential {@code id}'s certificate is in now: its file key (the inode: the agent
   * replaces the file by renaming a new one over it) and modification time; empty when there is
   * none. Equal versions are the same file, so it need not be read again.
   */
  Optional<List<Object>> fileVersion(String id) {
    try {
      BasicFileAttributes a = Files.readAttributes(certs.path(id), BasicFileAttributes.class);
      return Optional.of(Arrays.asList(a.fileKey(), a.lastModifiedTime()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** When the agent last wrote credential {@code id}'s certificate file (its modification time). */
  Instant writtenAt(String id) throws IOException {
    return Files.getLastModifiedTime(certs.path(id)).toInstant();
  }

  /** The registration as the agent's state says, if the device ever tried. */
  Optional<Registration> registration() {
    return agent
        .provisioning()
        .filter(p -> p.lastAttempt().isPresent() || p.registeredAt().isPresent())
        .map(
            (ProvisioningState p) ->
                new Registration(
                    p.status(),
                    p.assignedHub().orElse(""),
                    p.certificateSha256().orElse(""),
                    p.registeredAt().map(Instant::toString).orElse(""),
                    p.lastError().orElse("")));
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
