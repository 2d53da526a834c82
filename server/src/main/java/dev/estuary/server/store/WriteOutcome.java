package dev.estuary.server.store;

/** What a conditional write to a provisioning store did. */
public enum WriteOutcome {
  CREATED,
  UPDATED,
  DELETED,
  /** There was nothing by that key. */
  NOT_FOUND,
  /** Something by that key exists already and may not be replaced. */
  CONFLICT,
  /** The If-Match etag did not match the stored one (or nothing was stored). */
  PRECONDITION_FAILED,
  /** Other rows still refer to it. */
  IN_USE
}
