package dev.estuary.agent.provisioning;

import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.config.Provisioning;
import dev.estuary.agent.credential.EstCredential;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.renewal.FailureKind;
import dev.estuary.agent.renewal.FollowUp;
import dev.estuary.agent.renewal.RenewalAttempt;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.state.ProvisioningState;
import dev.estuary.agent.state.StateRecord;
import dev.estuary.agent.text.Printable;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the device with the provisioning service ({@code [provisioning] source = "dps"}): a
 * task of the renewal engine ({@link FollowUp}) that follows the device identity. It is due when
 * the device is not yet assigned with the device identity now on disk, and again after every
 * renewal of it (the certificate changed; re-registration keeps the hub). The assignment is its
 * record in the state file ({@link ProvisioningState}).
 *
 * <p>A failed registration never strands the device: the previous assignment stays in the state
 * (and in force at the hub, which authenticates the device by its CA) and the failure goes back to
 * the engine, which logs it in one line and retries by its one retry policy (the {@code
 * Retry-After} of the service honoured, never giving up). This class keeps no backoff of its own.
 */
public final class Provisioner implements FollowUp {
  /** The task's id in the engine. */
  public static final String ID = "register";

  private static final Logger log = LoggerFactory.getLogger(Provisioner.class);

  private final Provisioning.Dps dps;
  private final Supplier<Optional<EstCredential.Pair>> deviceIdentity;
  private final DpsClient client;
  private final StateRecord<ProvisioningState> record;
  private final Clock clock;

  /**
   * @param dps where and as whom to register
   * @param deviceIdentity the device identity's key and certificate on disk, when readable
   * @param client the DPS client
   * @param record the registration's record in the state file
   * @param clock the time of the registration, for the record
   */
  public Provisioner(
      Provisioning.Dps dps,
      Supplier<Optional<EstCredential.Pair>> deviceIdentity,
      DpsClient client,
      StateRecord<ProvisioningState> record,
      Clock clock) {
    this.dps = Objects.requireNonNull(dps, "dps");
    this.deviceIdentity = Objects.requireNonNull(deviceIdentity, "deviceIdentity");
    this.client = Objects.requireNonNull(client, "client");
    this.record = Objects.requireNonNull(record, "record");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String follows() {
    return EstCertificate.DEVICE_ID;
  }

  @Override
  public String name() {
    return "provisioning: registration";
  }

  @Override
  public boolean pending() {
    Optional<EstCredential.Pair> pair = deviceIdentity.get();
    return pair.isEmpty() || !state().assignedWith(DpsClient.thumbprint(pair.get().leaf()));
  }

  @Override
  public boolean inForce() {
    return state().assignedHub().isPresent();
  }

  @Override
  public String describeInForce() {
    ProvisioningState s = state();
    return s.assignedHub().isPresent()
        ? "the device stays assigned to hub "
            + Printable.of(s.assignedHub().get())
            + " as "
            + Printable.of(s.deviceId().orElse(""))
        : "no assignment yet";
  }

  @Override
  public Optional<RenewalOutcome.Failed> run(RenewalAttempt attempt) {
    Instant now = attempt.at();
    Optional<EstCredential.Pair> pair = deviceIdentity.get().filter(p -> p.info().isValidAt(now));
    if (pair.isEmpty()) {
      return Optional.of(
          RenewalOutcome.Failed.of(
              FailureKind.LOCAL, "no valid device identity to register with could be read"));
    }
    String thumbprint = DpsClient.thumbprint(pair.get().leaf());
    ProvisioningState before = state();
    EstIdentity device =
        new EstIdentity(
            pair.get().chain(),
            pair.get().key().privateKey(),
            Optional.empty(),
            EstCertificate.DEVICE_ID);
    try {
      Assignment a;
      try {
        a = client.register(dps.globalEndpoint(), dps.idScope(), dps.registrationId(), device);
      } catch (DpsException e) {
        String error = Printable.of(e.getMessage());
        record.save(before.failed(error, attempt.attempt(), thumbprint, now));
        FailureKind kind = e.refused() ? FailureKind.REFUSED : FailureKind.UNREACHABLE;
        return Optional.of(new RenewalOutcome.Failed(kind, error, e.retryAfter()));
      }
      record.save(
          before.assigned(
              a.registrationId(),
              a.assignedHub(),
              a.deviceId(),
              a.substatus(),
              thumbprint,
              now,
              clock.instant()));
      log.info(
          "provisioning: registered {} (certificate {}…); assigned to hub {} as device {} ({}){}",
          Printable.of(a.registrationId()),
          thumbprint.substring(0, 16),
          Printable.of(a.assignedHub()),
          Printable.of(a.deviceId()),
          Printable.of(a.substatus()),
          before.assignedHub().filter(h -> !h.equals(a.assignedHub())).isPresent()
              ? "; moved from hub " + Printable.of(before.assignedHub().get())
              : "");
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(
          RenewalOutcome.Failed.of(
              FailureKind.LOCAL, "cannot save the registration: " + Printable.of(e.getMessage())));
    }
  }

  /** The registration record, or {@link ProvisioningState#NONE} before the first attempt. */
  public ProvisioningState state() {
    return record.get().orElse(ProvisioningState.NONE);
  }
}
