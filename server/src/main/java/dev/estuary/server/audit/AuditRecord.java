package dev.estuary.server.audit;

import java.time.Instant;

/** One stored audit record: its event, its place in the chain and the hashes that link it. */
public record AuditRecord(
    long id,
    Instant at,
    String event,
    String actor,
    String label,
    String subject,
    String serial,
    String details,
    String prevHash,
    String hash) {

  /** SHA-256 over this record's fields and {@code prevHash}, as it should be stored. */
  public String expectedHash() {
    return AuditChain.hash(id, at, event, actor, label, subject, serial, details, prevHash);
  }
}
