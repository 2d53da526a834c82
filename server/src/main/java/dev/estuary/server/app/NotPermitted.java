package dev.estuary.server.app;

import dev.estuary.server.auth.Actor;
import dev.estuary.server.auth.Role;

/**
 * An authenticated actor asked for something its role does not allow (the admin API answers 403).
 * The message names the action, the role it has and the role it needs. Thrown by {@link
 * Permission#check}; a refusal the audit log may record with {@link #actor()}.
 */
public final class NotPermitted extends Exception {
  private final transient Actor actor;

  NotPermitted(Actor actor, Role needed, String action) {
    super(
        "the "
            + actor.role().wire()
            + " role may not "
            + action
            + "; that needs the "
            + needed.wire()
            + " role ("
            + actor.auditName()
            + ")",
        null,
        false,
        false);
    this.actor = actor;
  }

  public Actor actor() {
    return actor;
  }
}
