package dev.estuary.server.audit;

/**
 * The chain's checks, one record after another in id order: {@link #next} returns the first
 * problem, {@link #end} compares where the chain ended with its head. Used on the database ({@link
 * AuditLog#verify()}) and on records read from the admin API or an export.
 */
public final class ChainWalk {
  private long lastId;
  private String lastHash = AuditChain.GENESIS;
  private long checked;
  private long watchedId = -1;
  private String watchedHash;

  /** Remembers the hash of record {@code id} when it passes (for {@link #endAtLeast}). */
  public void watch(long id) {
    watchedId = id;
  }

  public AuditLog.Verification next(AuditRecord r) {
    long expected = lastId + 1;
    if (r.id() != expected) {
      return AuditLog.Verification.bad(
          checked,
          expected,
          expected == r.id() - 1
              ? "record " + expected + " is missing (the next record is " + r.id() + ")"
              : "records " + expected + " to " + (r.id() - 1) + " are missing");
    }
    if (!r.expectedHash().equals(r.hash())) {
      return AuditLog.Verification.bad(
          checked,
          r.id(),
          "its fields do not match its hash: the record was changed, or moved from another place");
    }
    if (!r.prevHash().equals(lastHash)) {
      return AuditLog.Verification.bad(
          checked,
          r.id(),
          "its previous hash is not record "
              + lastId
              + "'s hash: a record before it was changed, removed or reordered");
    }
    lastId = r.id();
    lastHash = r.hash();
    if (r.id() == watchedId) {
      watchedHash = r.hash();
    }
    checked++;
    return null;
  }

  public AuditLog.Verification end(AuditLog.Head head) {
    if (lastId > head.lastId()) {
      return AuditLog.Verification.bad(
          checked,
          head.lastId() + 1,
          "the chain's head ends at record "
              + head.lastId()
              + ": records after it were added outside the server");
    }
    if (head.lastId() != lastId) {
      return AuditLog.Verification.bad(
          checked,
          lastId + 1,
          "the chain ends at record "
              + lastId
              + " but its head says "
              + head.lastId()
              + ": records "
              + (lastId + 1)
              + " to "
              + head.lastId()
              + " are missing");
    }
    if (!head.lastHash().equals(lastHash)) {
      return AuditLog.Verification.bad(
          checked,
          lastId,
          "the chain's head does not hold this record's hash: the record was changed or replaced");
    }
    return AuditLog.Verification.good(checked, lastHash);
  }

  /**
   * For a chain read while the server appends (through its API): the head read before the first
   * record must be on the chain with its hash ({@link #watch} its id first); records after it were
   * appended meanwhile.
   */
  public AuditLog.Verification endAtLeast(AuditLog.Head head) {
    if (lastId < head.lastId()) {
      return AuditLog.Verification.bad(
          checked,
          lastId + 1,
          "the chain ends at record "
              + lastId
              + " but its head says "
              + head.lastId()
              + ": records "
              + (lastId + 1)
              + " to "
              + head.lastId()
              + " are missing");
    }
    if (head.lastId() > 0 && !head.lastHash().equals(watchedHash)) {
      return AuditLog.Verification.bad(
          checked,
          head.lastId(),
          "the chain's head does not hold this record's hash: the record was changed or replaced");
    }
    return AuditLog.Verification.good(checked, lastHash);
  }
}
