package dev.estuary.agent.daemon;

import dev.estuary.agent.credential.CertificateLedger;
import dev.estuary.agent.json.JsonException;
import dev.estuary.agent.json.JsonObject;
import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.text.Printable;
import dev.estuary.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's small state file, {@code <state_dir>/state.json}: per credential the fingerprint of
 * the certificate file the agent wrote (so a file changed by hand is noticed), its validity, next
 * renewal and last outcome; and the provisioning assignment. Rewritten atomically after every
 * change, so {@code estuary agent status} can read it while the daemon runs.
 *
 * <p>An unreadable file is moved aside ({@code state.json.unreadable}) and the agent starts afresh:
 * the state holds nothing that cannot be rebuilt from the certificates on disk.
 */
public final class StateFile implements CertificateLedger {
  /** The file name in the state directory. */
  public static final String NAME = "state.json";

  private static final Logger log = LoggerFactory.getLogger(StateFile.class);

  private final Path file;
  private final Clock clock;
  private final JsonObject root;

  private StateFile(Path file, Clock clock, JsonObject root) {
    this.file = file;
    this.clock = clock;
    this.root = root;
  }

  /** Reads {@code <stateDir>/state.json}, or starts an empty state when there is none. */
  public static StateFile open(Path stateDir, Clock clock) throws IOException {
    Path file = stateDir.resolve(NAME);
    JsonObject root = new JsonObject();
    if (Files.exists(file)) {
      try {
        JsonObject read = JsonObject.parse(Files.readAllBytes(file));
        validate(read);
        root = read;
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
    root.put("version", 1);
    return new StateFile(file, Objects.requireNonNull(clock, "clock"), root);
  }

  /** Reads the state another process wrote, for {@code status}; empty when there is none. */
  public static Optional<JsonObject> read(Path stateDir) throws IOException {
    Path file = stateDir.resolve(NAME);
    return Files.exists(file)
        ? Optional.of(JsonObject.parse(Files.readAllBytes(file)))
        : Optional.empty();
  }

  /** The instant a field of this file holds (as {@link #publish} writes them), if it holds one. */
  public static Optional<Instant> instant(JsonObject node, String field) {
    try {
      return node.text(field).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional
          .empty(); // open() moves such a file aside; a section put later is the agent's own
    }
  }

  /** Fields holding instants, in a credential's entry and in the provisioning section. */
  private static final List<String> INSTANTS =
      List.of(
          "not_before",
          "not_after",
          "renewal_time",
          "next_attempt",
          "last_attempt",
          "registered_at",
          "updated_at");

  /** Fields holding text. */
  private static final List<String> TEXTS =
      List.of(
          "certificate_sha256",
          "pending_sha256",
          "pending_certificate_sha256",
          "last_outcome",
          "last_error",
          "status",
          "assigned_hub",
          "device_id",
          "registration_id",
          "substatus");

  /**
   * Checks that every field the agent reads has the type it writes, so one bad field (a date that
   * is not one) is treated like garbage JSON rather than crashing every start.
   */
  private static void validate(JsonObject root) throws JsonException {
    if (root.has("credentials") && !(root.get("credentials") instanceof JsonObject)) {
      throw new JsonException("'credentials' is not an object");
    }
    validateFields("", root, List.of("updated_at"), List.of());
    JsonObject credentials = root.object("credentials");
    for (String id : credentials.names()) {
      if (!(credentials.get(id) instanceof JsonObject entry)) {
        throw new JsonException("credentials." + id + " is not an object");
      }
      validateFields("credentials." + id + ".", entry, INSTANTS, TEXTS);
    }
    if (root.has("provisioning")) {
      if (!(root.get("provisioning") instanceof JsonObject p)) {
        throw new JsonException("'provisioning' is not an object");
      }
      validateFields("provisioning.", p, INSTANTS, TEXTS);
    }
  }

  private static void validateFields(
      String where, JsonObject node, List<String> instants, List<String> texts)
      throws JsonException {
    for (String field : instants) {
      Object v = node.get(field);
      if (v == null) {
        continue;
      }
      if (!(v instanceof String text)) {
        throw new JsonException(where + field + " is not a date");
      }
      try {
        Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw new JsonException(where + field + " is not a date: " + text);
      }
    }
    for (String field : texts) {
      Object v = node.get(field);
      if (v != null && !(v instanceof String)) {
        throw new JsonException(where + field + " is not text");
      }
    }
  }

  private JsonObject credential(String id) {
    return root.objectFor("credentials").objectFor(id);
  }

  @Override
  public synchronized boolean wrote(String id, String fingerprint) {
    JsonObject c = root.object("credentials").object(id);
    return fingerprint.equals(c.text("certificate_sha256", null))
        || fingerprint.equals(c.text("pending_sha256", null));
  }

  @Override
  public synchronized boolean knows(String id) {
    return root.object("credentials").object(id).has("certificate_sha256");
  }

  @Override
  public synchronized void pending(String id, String fingerprint) throws IOException {
    credential(id).put("pending_sha256", fingerprint);
    save();
  }

  @Override
  public synchronized void committed(String id, String fingerprint) throws IOException {
    JsonObject c = credential(id);
    c.put("certificate_sha256", fingerprint);
    c.remove("pending_sha256");
    save();
  }

  /** Records the schedule of each credential (as the renewal engine reports it) and saves. */
  public synchronized void publish(List<CredentialStatus> statuses) throws IOException {
    for (CredentialStatus s : statuses) {
      JsonObject c = credential(s.id());
      put(c, "not_before", s.certificate().map(i -> i.notBefore()));
      put(c, "not_after", s.certificate().map(i -> i.notAfter()));
      put(c, "renewal_time", s.renewalTime());
      put(c, "next_attempt", s.nextAttempt());
      put(c, "last_attempt", s.lastAttemptAt());
      c.put("last_outcome", s.lastOutcome().map(StateFile::outcomeName).orElse(null));
      c.put("last_error", s.lastError().orElse(null));
      c.put("consecutive_failures", s.consecutiveFailures());
    }
    save();
  }

  /** Sets a top-level section (e.g. {@code "provisioning"}, {@code "daemon"}) and saves. */
  public synchronized void putSection(String name, JsonObject value) throws IOException {
    root.put(name, value.copy());
    save();
  }

  /** A top-level section, if present. */
  public synchronized Optional<JsonObject> section(String name) {
    return root.get(name) instanceof JsonObject o ? Optional.of(o.copy()) : Optional.empty();
  }

  private static String outcomeName(RenewalOutcome o) {
    if (o instanceof RenewalOutcome.Renewed) {
      return "renewed";
    }
    return o instanceof RenewalOutcome.Failed ? "failed" : "suspended";
  }

  private static void put(JsonObject node, String field, Optional<Instant> value) {
    node.put(field, value.map(Instant::toString).orElse(null));
  }

  private void save() throws IOException {
    root.put("updated_at", clock.instant().toString());
    AtomicFiles.write(
        file, (root.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8), "rw-------");
  }
}
