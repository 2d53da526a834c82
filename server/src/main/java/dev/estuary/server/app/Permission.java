package dev.estuary.server.app;

import dev.estuary.server.auth.Actor;
import dev.estuary.server.auth.Role;

/**
 * Every admin operation's permission: the least role that may do it and what it is called in a 403.
 * The services check it before they read or change anything; the admin API's route table names it
 * for each route and checks it before reading a request body (cheap checks first). The OpenAPI
 * description carries each operation's least role as {@code x-estuary-role}.
 */
public enum Permission {
  LIST_ADMIN_API_TOKENS(Role.AUDITOR, "list admin API tokens"),
  LIST_BASIC_USERS(Role.AUDITOR, "list Basic users"),
  LIST_BOOTSTRAP_SECRETS(Role.AUDITOR, "list bootstrap secrets"),
  LIST_CA_CERTIFICATES(Role.AUDITOR, "list CA certificates"),
  LIST_CONSOLE_USERS(Role.AUDITOR, "list console users"),
  LIST_ENROLLMENTS(Role.AUDITOR, "list enrollments"),
  LIST_LINKED_HUBS(Role.AUDITOR, "list linked hubs"),
  LIST_NAME_BINDINGS(Role.AUDITOR, "list name bindings"),
  LIST_REGISTRATION_RECORDS(Role.AUDITOR, "list registration records"),
  READ_ADMIN_API_TOKENS(Role.AUDITOR, "read admin API tokens"),
  READ_AUDIT_LOG(Role.AUDITOR, "read the audit log"),
  READ_BASIC_USERS(Role.AUDITOR, "read Basic users"),
  READ_BOOTSTRAP_SECRETS(Role.AUDITOR, "read bootstrap secrets"),
  READ_CA_CERTIFICATES(Role.AUDITOR, "read CA certificates"),
  READ_CERTIFICATES(Role.AUDITOR, "read certificates"),
  READ_DEVICES(Role.AUDITOR, "read devices"),
  READ_ENROLLMENTS(Role.AUDITOR, "read enrollments"),
  READ_REGISTRATION_RECORDS(Role.AUDITOR, "read registration records"),
  CHANGE_ENROLLMENTS(Role.OPERATOR, "change enrollments"),
  CREATE_BASIC_USERS(Role.OPERATOR, "create Basic users"),
  CREATE_BOOTSTRAP_SECRETS(Role.OPERATOR, "create bootstrap secrets"),
  DELETE_BASIC_USERS(Role.OPERATOR, "delete Basic users"),
  DELETE_BOOTSTRAP_SECRETS(Role.OPERATOR, "delete bootstrap secrets"),
  DELETE_ENROLLMENTS(Role.OPERATOR, "delete enrollments"),
  DELETE_REGISTRATION_RECORDS(Role.OPERATOR, "delete registration records"),
  DISABLE_BASIC_USERS(Role.OPERATOR, "disable Basic users"),
  DISABLE_BOOTSTRAP_SECRETS(Role.OPERATOR, "disable bootstrap secrets"),
  DISABLE_DEVICES(Role.OPERATOR, "disable and enable devices"),
  RELEASE_NAME_BINDINGS(Role.OPERATOR, "release name bindings"),
  REVOKE_CERTIFICATES(Role.OPERATOR, "revoke certificates"),
  ADD_CA_CERTIFICATES(Role.ADMIN, "add CA certificates"),
  CREATE_CONSOLE_USERS(Role.ADMIN, "create console users"),
  DISABLE_CONSOLE_USERS(Role.ADMIN, "disable console users"),
  CREATE_ADMIN_API_TOKENS(Role.ADMIN, "create admin API tokens"),
  DELETE_CA_CERTIFICATES(Role.ADMIN, "delete CA certificates"),
  LINK_HUBS(Role.ADMIN, "link hubs"),
  REVOKE_ADMIN_API_TOKENS(Role.ADMIN, "revoke admin API tokens"),
  UNLINK_HUBS(Role.ADMIN, "unlink hubs"),
  VERIFY_CA_CERTIFICATES(Role.ADMIN, "verify CA certificates");

  private final Role least;
  private final String action;

  Permission(Role least, String action) {
    this.least = least;
    this.action = action;
  }

  /** The least role that may do it. */
  public Role least() {
    return least;
  }

  /** What it is, as a 403 names it ("revoke certificates"). */
  public String action() {
    return action;
  }

  /**
   * @throws NotPermitted when {@code actor}'s role does not include {@link #least()}
   */
  public void check(Actor actor) throws NotPermitted {
    if (!actor.role().includes(least)) {
      throw new NotPermitted(actor, least, action);
    }
  }
}
