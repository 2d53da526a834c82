package dev.estuary.agent.state;

import dev.estuary.agent.json.JsonException;
import dev.estuary.agent.json.JsonObject;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything {@code <state_dir>/state.json} holds, typed, and its one JSON form (read and written
 * here and nowhere else). Each record has one owner:
 *
 * <ul>
 *   <li>{@link #ledger()}: per credential, the fingerprints of the certificate file the agent wrote
 *       (owner: the credentials, through {@link StateFile}'s {@code CertificateLedger});
 *   <li>{@link #schedules()}: per credential, the renewal engine's schedule (owner: the agent,
 *       publishing the engine's status after each step);
 *   <li>{@link #provisioning()}: the registration with the provisioning service (owner: the
 *       registration task), and {@link #registrationDue()}, the engine's next registration attempt
 *       (owner: the agent, as for the schedules).
 * </ul>
 *
 * <p>The JSON form is the one the agent has always written (version 1): {@code credentials.<id>}
 * holds a credential's ledger entry and schedule side by side, {@code provisioning} the
 * registration with its {@code next_attempt}. A member this agent does not know, or one of the
 * wrong type, makes the whole file unreadable ({@link #parse} throws, naming it): {@link StateFile}
 * then moves it aside and starts afresh, as the state holds nothing that cannot be rebuilt from the
 * certificates on disk.
 *
 * @param ledger per credential id, in the order first recorded
 * @param schedules per credential id, as last published
 * @param provisioning the registration, once attempted
 * @param registrationDue the next registration attempt, when one is scheduled
 * @param updatedAt when the file was last written
 */
public record AgentState(
    Map<String, LedgerEntry> ledger,
    Map<String, CredentialSchedule> schedules,
    Optional<ProvisioningState> provisioning,
    Optional<Instant> registrationDue,
    Optional<Instant> updatedAt) {

  /** The only version of the format so far. */
  public static final int VERSION = 1;

  /** No state yet. */
  public static final AgentState EMPTY =
      new AgentState(Map.of(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty());

  private static final Set<String> TOP =
      Set.of("version", "credentials", "provisioning", "updated_at");
  private static final Set<String> LEDGER = Set.of("certificate_sha256", "pending_sha256");
  private static final Set<String> SCHEDULE =
      Set.of(
          "not_before",
          "not_after",
          "renewal_time",
          "next_attempt",
          "last_attempt",
          "last_outcome",
          "last_error",
          "consecutive_failures");
  private static final Set<String> CREDENTIAL = union(LEDGER, SCHEDULE);
  private static final Set<String> PROVISIONING =
      Set.of(
          "status",
          "registration_id",
          "assigned_hub",
          "device_id",
          "substatus",
          "certificate_sha256",
          "registered_at",
          "last_attempt",
          "last_error",
          "consecutive_failures",
          "next_attempt",
          "pending_certificate_sha256");

  public AgentState {
    ledger = ordered(Objects.requireNonNull(ledger, "ledger"));
    schedules = ordered(Objects.requireNonNull(schedules, "schedules"));
    Objects.requireNonNull(provisioning, "provisioning");
    Objects.requireNonNull(registrationDue, "registrationDue");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** The credential ids the state knows, ledger first, in order. */
  public Set<String> credentialIds() {
    Set<String> ids = new LinkedHashSet<>(ledger.keySet());
    ids.addAll(schedules.keySet());
    return ids;
  }

  /** The ledger entry of {@code id}; {@link LedgerEntry#NONE} when there is none. */
  public LedgerEntry ledgerEntry(String id) {
    return ledger.getOrDefault(id, LedgerEntry.NONE);
  }

  /** The published schedule of {@code id}, if any. */
  public Optional<CredentialSchedule> schedule(String id) {
    return Optional.ofNullable(schedules.get(id));
  }

  public AgentState withLedgerEntry(String id, LedgerEntry entry) {
    Map<String, LedgerEntry> m = new LinkedHashMap<>(ledger);
    m.put(id, entry);
    return new AgentState(m, schedules, provisioning, registrationDue, updatedAt);
  }

  public AgentState withSchedules(
      Map<String, CredentialSchedule> published, Optional<Instant> registrationNext) {
    Map<String, CredentialSchedule> m = new LinkedHashMap<>(schedules);
    m.putAll(published);
    return new AgentState(ledger, m, provisioning, registrationNext, updatedAt);
  }

  public AgentState withProvisioning(ProvisioningState p) {
    return new AgentState(ledger, schedules, Optional.of(p), registrationDue, updatedAt);
  }

  public AgentState withUpdatedAt(Instant at) {
    return new AgentState(ledger, schedules, provisioning, registrationDue, Optional.of(at));
  }

  /**
   * Reads the JSON form.
   *
   * @throws JsonException naming the first member that is unknown or of the wrong type
   */
  public static AgentState parse(byte[] utf8) throws JsonException {
    return fromJson(JsonObject.parse(utf8));
  }

  /**
   * Reads the JSON form.
   *
   * @throws JsonException naming the first member that is unknown or of the wrong type
   */
  public static AgentState fromJson(JsonObject root) throws JsonException {
    Fields top = Fields.of(root, "", TOP);
    if (root.has("version") && top.count("version") != VERSION) {
      throw new JsonException(
          "version " + root.get("version") + " is not one this agent reads (" + VERSION + ")");
    }
    Map<String, LedgerEntry> ledger = new LinkedHashMap<>();
    Map<String, CredentialSchedule> schedules = new LinkedHashMap<>();
    Optional<JsonObject> credentials = top.object("credentials");
    if (credentials.isPresent()) {
      for (String id : credentials.get().names()) {
        String where = "credentials." + id;
        JsonObject entry = Fields.object(credentials.get().get(id), where);
        Fields f = Fields.of(entry, where + ".", CREDENTIAL);
        if (LEDGER.stream().anyMatch(entry::has)) {
          ledger.put(id, new LedgerEntry(f.text("certificate_sha256"), f.text("pending_sha256")));
        }
        if (SCHEDULE.stream().anyMatch(entry.names()::contains)) {
          schedules.put(
              id,
              new CredentialSchedule(
                  f.instant("not_before"),
                  f.instant("not_after"),
                  f.instant("renewal_time"),
                  f.instant("next_attempt"),
                  f.instant("last_attempt"),
                  f.text("last_outcome"),
                  f.text("last_error"),
                  f.count("consecutive_failures")));
        }
      }
    }
    Optional<ProvisioningState> provisioning = Optional.empty();
    Optional<Instant> registrationDue = Optional.empty();
    Optional<JsonObject> p = top.object("provisioning");
    if (p.isPresent()) {
      Fields f = Fields.of(p.get(), "provisioning.", PROVISIONING);
      provisioning =
          Optional.of(
              new ProvisioningState(
                  f.text("status").orElse(ProvisioningState.NOT_REGISTERED),
                  f.text("registration_id"),
                  f.text("assigned_hub"),
                  f.text("device_id"),
                  f.text("substatus"),
                  f.text("certificate_sha256"),
                  f.instant("registered_at"),
                  f.instant("last_attempt"),
                  f.text("last_error"),
                  f.count("consecutive_failures"),
                  f.text("pending_certificate_sha256")));
      registrationDue = f.instant("next_attempt");
    }
    return new AgentState(
        ledger, schedules, provisioning, registrationDue, top.instant("updated_at"));
  }

  /** The JSON form. */
  public JsonObject toJson() {
    JsonObject root = new JsonObject().put("version", VERSION);
    JsonObject credentials = root.objectFor("credentials");
    for (String id : credentialIds()) {
      JsonObject c = credentials.objectFor(id);
      LedgerEntry l = ledger.get(id);
      if (l != null) {
        Fields.putIfPresent(c, "certificate_sha256", l.certificateSha256());
        Fields.putIfPresent(c, "pending_sha256", l.pendingSha256());
      }
      CredentialSchedule s = schedules.get(id);
      if (s != null) {
        Fields.putOrNull(c, "not_before", s.notBefore());
        Fields.putOrNull(c, "not_after", s.notAfter());
        Fields.putOrNull(c, "renewal_time", s.renewalTime());
        Fields.putOrNull(c, "next_attempt", s.nextAttempt());
        Fields.putOrNull(c, "last_attempt", s.lastAttempt());
        Fields.putOrNull(c, "last_outcome", s.lastOutcome());
        Fields.putOrNull(c, "last_error", s.lastError());
        c.put("consecutive_failures", s.consecutiveFailures());
      }
    }
    provisioning.ifPresent(
        p -> {
          JsonObject o = root.objectFor("provisioning").put("status", p.status());
          Fields.putIfPresent(o, "registration_id", p.registrationId());
          Fields.putIfPresent(o, "assigned_hub", p.assignedHub());
          Fields.putIfPresent(o, "device_id", p.deviceId());
          Fields.putIfPresent(o, "substatus", p.substatus());
          Fields.putIfPresent(o, "certificate_sha256", p.certificateSha256());
          Fields.putIfPresent(o, "registered_at", p.registeredAt());
          Fields.putIfPresent(o, "last_attempt", p.lastAttempt());
          Fields.putIfPresent(o, "last_error", p.lastError());
          o.put("consecutive_failures", p.consecutiveFailures());
          Fields.putIfPresent(o, "next_attempt", registrationDue);
          Fields.putIfPresent(o, "pending_certificate_sha256", p.pendingCertificateSha256());
        });
    Fields.putIfPresent(root, "updated_at", updatedAt);
    return root;
  }

  private static <V> Map<String, V> ordered(Map<String, V> m) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new LinkedHashSet<>(a);
    u.addAll(b);
    return Set.copyOf(u);
  }
}
