package dev.estuary.agent.state;

import dev.estuary.agent.credential.CertificateLedger;
import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.text.Printable;
import dev.estuary.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's small state file, {@code <state_dir>/state.json}: the typed {@link AgentState},
 * rewritten atomically and durably (temporary file, fsync, rename) after every change, so {@code
 * estuary agent status} can read it while the daemon runs.
 *
 * <p>Each record has one owner, and each owner gets a handle on its record alone: the credentials
 * the {@link CertificateLedger} (this class), the agent {@link #publish}, the registration task
 * {@link #provisioning()}.
 *
 * <p>An unreadable file (not JSON, a member of the wrong type, a member this agent does not know)
 * is moved aside ({@code state.json.unreadable}) with one log line naming what was wrong, and the
 * agent starts afresh: the state holds nothing that cannot be rebuilt from the certificates on
 * disk.
 */
public final class StateFile implements CertificateLedger {
  /** The file name in the state directory. */
  public static final String NAME = "state.json";

  private static final Logger log = LoggerFactory.getLogger(StateFile.class);

  private final Path file;
  private final Clock clock;
  private AgentState state;

  private StateFile(Path file, Clock clock, AgentState state) {
    this.file = file;
    this.clock = clock;
    this.state = state;
  }

  /** Reads {@code <stateDir>/state.json}, or starts an empty state when there is none. */
  public static StateFile open(Path stateDir, Clock clock) throws IOException {
    Path file = stateDir.resolve(NAME);
    AgentState state = AgentState.EMPTY;
    if (Files.exists(file)) {
      try {
        state = AgentState.parse(Files.readAllBytes(file));
      } catch (IOException e) {
        Path aside = stateDir.resolve(NAME + ".unreadable");
        log.warn(
            "{} is unreadable ({}); moved to {}, starting afresh",
            file,
            Printable.of(e.getMessage()),
            aside);
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return new StateFile(file, Objects.requireNonNull(clock, "clock"), state);
  }

  /**
   * Reads the state another process wrote, for {@code status}; empty when there is none.
   *
   * @throws IOException also when the file is unreadable (the message names what was wrong)
   */
  public static Optional<AgentState> read(Path stateDir) throws IOException {
    Path file = stateDir.resolve(NAME);
    return Files.exists(file)
        ? Optional.of(AgentState.parse(Files.readAllBytes(file)))
        : Optional.empty();
  }

  /** The state as last saved (or loaded). */
  public synchronized AgentState current() {
    return state;
  }

  @Override
  public synchronized boolean wrote(String id, String fingerprint) {
    return state.ledgerEntry(id).wrote(fingerprint);
  }

  @Override
  public synchronized boolean knows(String id) {
    return state.ledgerEntry(id).certificateSha256().isPresent();
  }

  @Override
  public synchronized void pending(String id, String fingerprint) throws IOException {
    save(state.withLedgerEntry(id, state.ledgerEntry(id).pending(fingerprint)));
  }

  @Override
  public synchronized void committed(String id, String fingerprint) throws IOException {
    save(state.withLedgerEntry(id, state.ledgerEntry(id).committed(fingerprint)));
  }

  /**
   * Records the schedule of each credential and the next registration attempt (as the renewal
   * engine reports them) and saves.
   */
  public synchronized void publish(List<CredentialStatus> statuses, Optional<Instant> registration)
      throws IOException {
    Map<String, CredentialSchedule> schedules = new LinkedHashMap<>();
    for (CredentialStatus s : statuses) {
      schedules.put(s.id(), CredentialSchedule.of(s));
    }
    save(state.withSchedules(schedules, registration));
  }

  /** The registration record, for its one owner (the registration task). */
  public StateRecord<ProvisioningState> provisioning() {
    return new StateRecord<>() {
      @Override
      public Optional<ProvisioningState> get() {
        synchronized (StateFile.this) {
          return state.provisioning();
        }
      }

      @Override
      public void save(ProvisioningState value) throws IOException {
        synchronized (StateFile.this) {
          StateFile.this.save(state.withProvisioning(Objects.requireNonNull(value, "value")));
        }
      }
    };
  }

  private void save(AgentState next) throws IOException {
    AgentState stamped = next.withUpdatedAt(clock.instant());
    AtomicFiles.write(
        file,
        (stamped.toJson().toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8),
        "rw-------");
    state = stamped;
  }
}
