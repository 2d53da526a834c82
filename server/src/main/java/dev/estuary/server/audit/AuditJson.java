package dev.estuary.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;

/**
 * An audit record as JSON (the admin API's records, one line each in an export): the stored fields,
 * the details as an object, both hashes.
 */
public final class AuditJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditJson() {}

  public static ObjectNode json(AuditRecord r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", r.id());
    n.put("at", r.at().toString());
    n.put("event", r.event());
    n.put("actor", r.actor());
    n.put("label", r.label());
    n.put("subject", r.subject());
    n.put("serial", r.serial());
    try {
      n.set("details", JSON.readTree(r.details()));
    } catch (IOException e) {
      n.put("details", r.details()); // a row changed by hand: as it is
    }
    n.put("prevHash", r.prevHash());
    n.put("hash", r.hash());
    return n;
  }

  /**
   * The record back from {@link #json}: the details as the server stores them (compact JSON in the
   * order given, which is the stored order).
   */
  public static AuditRecord record(JsonNode n) {
    JsonNode d = n.path("details");
    String details;
    try {
      details = d.isTextual() ? d.asText() : JSON.writeValueAsString(d);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
    return new AuditRecord(
        n.path("id").asLong(),
        Instant.parse(n.path("at").asText()),
        text(n, "event"),
        text(n, "actor"),
        text(n, "label"),
        text(n, "subject"),
        text(n, "serial"),
        details,
        text(n, "prevHash"),
        text(n, "hash"));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
