package dev.estuary.agent.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.agent.credential.CertificateLedger;
import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
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

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Logger log = LoggerFactory.getLogger(StateFile.class);

  private final Path file;
  private final Clock clock;
  private final ObjectNode root;

  private StateFile(Path file, Clock clock, ObjectNode root) {
    this.file = file;
    this.clock = clock;
    this.root = root;
  }

  /** Reads {@code <stateDir>/state.json}, or starts an empty state when there is none. */
  public static StateFile open(Path stateDir, Clock clock) throws IOException {
    Path file = stateDir.resolve(NAME);
    ObjectNode root = JSON.createObjectNode();
    if (Files.exists(file)) {
      try {
        if (JSON.readTree(file.toFile()) instanceof ObjectNode read) {
          root = read;
        } else {
          throw new IOException("not a JSON object");
        }
      } catch (IOException e) {
        Path aside = stateDir.resolve(NAME + ".unreadable");
        log.warn("{} is unreadable ({}); moved to {}, starting afresh", file, e.getMessage(), aside);
        Files.move(file, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    root.put("version", 1);
    return new StateFile(file, Objects.requireNonNull(clock, "clock"), root);
  }

  /** Reads the state another process wrote, for {@code status}; empty when there is none. */
  public static Optional<JsonNode> read(Path stateDir) throws IOException {
    Path file = stateDir.resolve(NAME);
    return Files.exists(file) ? Optional.of(JSON.readTree(file.toFile())) : Optional.empty();
  }

  /** The instant a field of this file holds (as {@link #publish} writes them), if it holds one. */
  public static Optional<Instant> instant(JsonNode node, String field) {
    JsonNode n = node.path(field);
    return n.isTextual() ? Optional.of(Instant.parse(n.asText())) : Optional.empty();
  }

  private ObjectNode credential(String id) {
    return root.withObjectProperty("credentials").withObjectProperty(id);
  }

  @Override
  public synchronized boolean wrote(String id, String fingerprint) {
    JsonNode c = root.path("credentials").path(id);
    return fingerprint.equals(c.path("certificate_sha256").asText(null))
        || fingerprint.equals(c.path("pending_sha256").asText(null));
  }

  @Override
  public synchronized boolean knows(String id) {
    return root.path("credentials").path(id).has("certificate_sha256");
  }

  @Override
  public synchronized void pending(String id, String fingerprint) throws IOException {
    credential(id).put("pending_sha256", fingerprint);
    save();
  }

  @Override
  public synchronized void committed(String id, String fingerprint) throws IOException {
    ObjectNode c = credential(id);
    c.put("certificate_sha256", fingerprint);
    c.remove("pending_sha256");
    save();
  }

  /** Records the schedule of each credential (as the renewal engine reports it) and saves. */
  public synchronized void publish(List<CredentialStatus> statuses) throws IOException {
    for (CredentialStatus s : statuses) {
      ObjectNode c = credential(s.id());
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
  public synchronized void putSection(String name, JsonNode value) throws IOException {
    root.set(name, value);
    save();
  }

  /** A top-level section, if present. */
  public synchronized Optional<JsonNode> section(String name) {
    JsonNode n = root.get(name);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n.deepCopy());
  }

  private static String outcomeName(RenewalOutcome o) {
    return switch (o) {
      case RenewalOutcome.Renewed r -> "renewed";
      case RenewalOutcome.Failed f -> "failed";
      case RenewalOutcome.Suspended s -> "suspended";
    };
  }

  private static void put(ObjectNode node, String field, Optional<Instant> value) {
    node.put(field, value.map(Instant::toString).orElse(null));
  }

  private void save() throws IOException {
    root.put("updated_at", clock.instant().toString());
    AtomicFiles.write(file, JSON.writeValueAsBytes(root), "rw-------");
  }
}
