package dev.estuary.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads the agent's state.json, as another process wrote it, with Jackson: a JSON reader other than
 * the agent's own, so the file is checked as any tool would read it.
 */
final class AgentState {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AgentState() {}

  static JsonNode read(Path stateDir) throws Exception {
    Path f = stateDir.resolve("state.json");
    return Files.exists(f) ? JSON.readTree(f.toFile()) : JSON.createObjectNode();
  }

  static JsonNode credential(Path stateDir, String id) throws Exception {
    return read(stateDir).path("credentials").path(id);
  }

  static Optional<Instant> instant(JsonNode credential, String field) {
    JsonNode n = credential.path(field);
    return n.isTextual() ? Optional.of(Instant.parse(n.asText())) : Optional.empty();
  }
}
