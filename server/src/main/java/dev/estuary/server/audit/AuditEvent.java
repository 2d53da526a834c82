package dev.estuary.server.audit;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One security-relevant event, as it is appended to the audit log: what happened ({@code event},
 * one of the constants here), who did it ({@code actor}, see {@link Actors}), to what (label,
 * subject, serial; each may be null) and the rest as flat {@code details}. Never a secret, a
 * password, a token or a private key: the callers build events from ids, names and hashes only.
 *
 * @param serial the certificate's serial number in lower-case hexadecimal, or null
 */
public record AuditEvent(
    Instant at,
    String event,
    String actor,
    String label,
    String subject,
    String serial,
    Map<String, String> details) {

  public static final String CERTIFICATE_ISSUED = "certificate.issued";
  public static final String ISSUANCE_REFUSED = "issuance.refused";
  public static final String CERTIFICATE_REVOKED = "certificate.revoked";
  public static final String SECRET_CREATED = "secret.created";
  public static final String SECRET_DISABLED = "secret.disabled";
  public static final String SECRET_DELETED = "secret.deleted";
  public static final String BASIC_USER_CREATED = "basic-user.created";
  public static final String BASIC_USER_DISABLED = "basic-user.disabled";
  public static final String BASIC_USER_DELETED = "basic-user.deleted";
  public static final String BINDING_RELEASED = "binding.released";
  public static final String TOKEN_CREATED = "token.created";
  public static final String TOKEN_REVOKED = "token.revoked";
  public static final String DEVICE_DISABLED = "device.disabled";
  public static final String DEVICE_ENABLED = "device.enabled";
  public static final String SERVER_STARTED = "server.started";
  public static final String CA_KEYS_RELOADED = "ca-keys.reloaded";
  public static final String ADMIN_AUTHENTICATED = "admin.authenticated";
  public static final String ENROLLMENT_CREATED = "enrollment.created";
  public static final String ENROLLMENT_REPLACED = "enrollment.replaced";
  public static final String ENROLLMENT_DELETED = "enrollment.deleted";
  public static final String REGISTRATION_DELETED = "registration.deleted";
  public static final String HUB_LINKED = "hub.linked";
  public static final String HUB_UNLINKED = "hub.unlinked";
  public static final String CA_CERTIFICATE_ADDED = "ca-certificate.added";
  public static final String CA_CERTIFICATE_CODE_ISSUED = "ca-certificate.code-issued";
  public static final String CA_CERTIFICATE_VERIFIED = "ca-certificate.verified";
  public static final String CA_CERTIFICATE_DELETED = "ca-certificate.deleted";
  public static final String CONSOLE_USER_CREATED = "console-user.created";
  public static final String CONSOLE_USER_DISABLED = "console-user.disabled";
  public static final String CONSOLE_LOGIN = "console.login";
  public static final String CONSOLE_LOGOUT = "console.logout";

  /** Failed authentications, counted per address and minute (see {@link AuthFailureTally}). */
  public static final String AUTHENTICATION_FAILED = "authentication.failed";

  static final int MAX_ACTOR = 300;
  static final int MAX_LABEL = 255;
  static final int MAX_SUBJECT = 2048;
  static final int MAX_SERIAL = 64;
  static final int MAX_DETAIL = 500;

  public AuditEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(actor, "actor");
    actor = clip(actor, MAX_ACTOR);
    label = clip(label, MAX_LABEL);
    subject = clip(subject, MAX_SUBJECT);
    serial = clip(serial, MAX_SERIAL);
    TreeMap<String, String> d = new TreeMap<>();
    if (details != null) {
      details.forEach(
          (k, v) -> {
            if (v != null) {
              d.put(k, clip(v, MAX_DETAIL));
            }
          });
    }
    details = Collections.unmodifiableSortedMap(d);
  }

  /** An event without label, subject or serial. */
  public static AuditEvent of(Instant at, String event, String actor, Map<String, String> details) {
    return new AuditEvent(at, event, actor, null, null, null, details);
  }

  /** A value longer than the column keeps its start and says it was cut. */
  static String clip(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    String mark = "…[cut]";
    return s.substring(0, max - mark.length()) + mark;
  }
}
