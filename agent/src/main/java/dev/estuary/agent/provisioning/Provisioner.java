package dev.estuary.agent.provisioning;

import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.config.Provisioning;
import dev.estuary.agent.credential.EstCredential;
import dev.estuary.agent.daemon.AfterTick;
import dev.estuary.agent.daemon.Agent;
import dev.estuary.agent.daemon.AgentDaemon;
import dev.estuary.agent.daemon.StateFile;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.json.JsonObject;
import dev.estuary.agent.text.Printable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the device with the provisioning service ({@code [provisioning] source = "dps"}) once
 * it has a device identity, and again after every renewal of it (the certificate changed), keeping
 * the assignment in the state file's {@code provisioning} section.
 *
 * <p>A failed registration never strands the device: the previous assignment stays in the state
 * (and in force at the hub, which authenticates the device by its CA), the failure is logged in one
 * line, and the registration is retried with a growing pause (5 s doubling up to {@link
 * #MAX_PAUSE}, or the service's {@code Retry-After}) until it succeeds.
 */
public final class Provisioner implements AfterTick {
  static final String SECTION = "provisioning";
  static final Duration FIRST_PAUSE = Duration.ofSeconds(5);
  static final Duration MAX_PAUSE = Duration.ofMinutes(5);
  private static final Logger log = LoggerFactory.getLogger(Provisioner.class);

  private final Provisioning.Dps dps;
  private final Supplier<Optional<EstCredential.Pair>> deviceIdentity;
  private final DpsClient client;
  private final StateFile state;
  private final Clock clock;

  Provisioner(
      Provisioning.Dps dps,
      Supplier<Optional<EstCredential.Pair>> deviceIdentity,
      DpsClient client,
      StateFile state,
      Clock clock) {
    this.dps = Objects.requireNonNull(dps, "dps");
    this.deviceIdentity = Objects.requireNonNull(deviceIdentity, "deviceIdentity");
    this.client = Objects.requireNonNull(client, "client");
    this.state = Objects.requireNonNull(state, "state");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The provisioner for {@code agent}, when its configuration registers with a DPS-compatible
   * service and the agent obtains the device identity.
   */
  public static Optional<Provisioner> forAgent(Agent agent, Clock clock) {
    if (!(agent.config().provisioning() instanceof Provisioning.Dps dps)) {
      return Optional.empty();
    }
    Optional<EstCredential> deviceId = agent.credential(EstCertificate.DEVICE_ID);
    if (deviceId.isEmpty()) {
      return Optional.empty();
    }
    DpsClient client = new DpsClient(agent.trustStore()::all, Agent.EST_TIMEOUT, clock);
    return Optional.of(
        new Provisioner(dps, deviceId.get()::readablePair, client, agent.state(), clock));
  }

  /** The daemon for {@code agent}, registering with the provisioning service when configured. */
  public static AgentDaemon daemonFor(Agent agent, Clock clock) {
    return new AgentDaemon(agent, forAgent(agent, clock).stream().map(p -> (AfterTick) p).toList());
  }

  @Override
  public void run() throws IOException {
    Instant now = clock.instant();
    Optional<EstCredential.Pair> pair = deviceIdentity.get().filter(p -> p.info().isValidAt(now));
    if (pair.isEmpty()) {
      return;
    }
    String thumbprint = DpsClient.thumbprint(pair.get().leaf());
    JsonObject s = section();
    if (thumbprint.equals(s.text("certificate_sha256", ""))
        && "assigned".equals(s.text("status", ""))) {
      return;
    }
    Optional<Instant> next = StateFile.instant(s, "next_attempt");
    if (thumbprint.equals(s.text("pending_certificate_sha256", ""))
        && next.isPresent()
        && now.isBefore(next.get())) {
      return;
    }
    EstIdentity device =
        new EstIdentity(
            pair.get().chain(),
            pair.get().key().privateKey(),
            Optional.empty(),
            EstCertificate.DEVICE_ID);
    s.put("last_attempt", now.toString());
    try {
      Assignment a =
          client.register(dps.globalEndpoint(), dps.idScope(), dps.registrationId(), device);
      String before = s.text("assigned_hub", "");
      s.put("status", "assigned")
          .put("registration_id", a.registrationId())
          .put("assigned_hub", a.assignedHub())
          .put("device_id", a.deviceId())
          .put("substatus", a.substatus())
          .put("certificate_sha256", thumbprint)
          .put("registered_at", clock.instant().toString())
          .put("consecutive_failures", 0);
      s.remove("last_error").remove("next_attempt").remove("pending_certificate_sha256");
      log.info(
          "provisioning: registered {} (certificate {}…); assigned to hub {} as device {} ({}){}",
          Printable.of(a.registrationId()),
          thumbprint.substring(0, 16),
          Printable.of(a.assignedHub()),
          Printable.of(a.deviceId()),
          Printable.of(a.substatus()),
          !before.isEmpty() && !before.equals(a.assignedHub())
              ? "; moved from hub " + Printable.of(before)
              : "");
    } catch (DpsException e) {
      int failures = (int) s.number("consecutive_failures", 0) + 1;
      Duration pause = pause(failures, e.retryAfter());
      Instant at = clock.instant().plus(pause);
      s.put("consecutive_failures", failures)
          .put("last_error", e.getMessage())
          .put("pending_certificate_sha256", thumbprint)
          .put("next_attempt", at.toString());
      if (!s.has("status")) {
        s.put("status", "not registered");
      }
      log.warn(
          "provisioning: registration attempt {} failed, {}; {}; next attempt at {}",
          failures,
          Printable.of(e.getMessage()),
          s.has("assigned_hub")
              ? "the device stays assigned to hub "
                  + Printable.of(s.text("assigned_hub", ""))
                  + " as "
                  + Printable.of(s.text("device_id", ""))
              : "no assignment yet",
          at);
    }
    state.putSection(SECTION, s);
  }

  @Override
  public Optional<Instant> nextWakeUp() {
    return StateFile.instant(section(), "next_attempt");
  }

  /** The assignment in force, if the device was ever assigned. */
  public static Optional<String> describe(JsonObject provisioning) {
    return provisioning.has("assigned_hub")
        ? Optional.of(
            provisioning.text("assigned_hub", "") + " as " + provisioning.text("device_id", ""))
        : Optional.empty();
  }

  /**
   * Whether the state says the device is assigned with the certificate whose thumbprint is given.
   */
  public boolean assignedWith(EstCredential.Pair pair) {
    JsonObject s = section();
    return "assigned".equals(s.text("status", ""))
        && DpsClient.thumbprint(pair.leaf()).equals(s.text("certificate_sha256", ""));
  }

  static Duration pause(int failures, Optional<Duration> retryAfter) {
    Duration d = FIRST_PAUSE.multipliedBy(1L << Math.min(failures - 1, 16));
    if (retryAfter.isPresent() && retryAfter.get().compareTo(d) > 0) {
      d = retryAfter.get();
    }
    return d.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : d;
  }

  private JsonObject section() {
    return state.section(SECTION).orElseGet(JsonObject::new);
  }
}
