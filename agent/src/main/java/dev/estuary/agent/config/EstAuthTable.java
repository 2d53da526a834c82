package dev.estuary.agent.config;

import dev.estuary.config.Section;
import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * Reads EST credentials from {@code [cert_issuance.est.auth]} or from the auth keys a certificate's
 * own table may carry: {@code username} + {@code password}, {@code identity_cert} + {@code
 * identity_pk}, {@code bootstrap_identity_cert} + {@code bootstrap_identity_pk}.
 */
final class EstAuthTable {
  static final Set<String> KEYS =
      Set.of(
          "username",
          "password",
          "identity_cert",
          "identity_pk",
          "bootstrap_identity_cert",
          "bootstrap_identity_pk");

  static final String NO_CREDENTIALS =
      "no credentials: set identity_cert + identity_pk, or bootstrap_identity_cert + bootstrap_identity_pk,"
          + " or username + password";

  private EstAuthTable() {}

  /** True when {@code s} sets any auth key, valid or not. */
  static boolean writesAny(Section s) {
    return KEYS.stream().anyMatch(s::has);
  }

  /** The credentials {@code s} sets; every mistake is reported at its key. */
  static EstAuth read(Section s, boolean pkcs11Module) {
    Optional<BasicAuth> basic = basic(s);
    Optional<X509Credential> identity = pair(s, "identity_cert", "identity_pk", pkcs11Module);
    Optional<X509Credential> bootstrap =
        pair(s, "bootstrap_identity_cert", "bootstrap_identity_pk", pkcs11Module);
    boolean identityWritten = s.has("identity_cert") || s.has("identity_pk");
    boolean bootstrapWritten = s.has("bootstrap_identity_cert") || s.has("bootstrap_identity_pk");
    if (identityWritten && bootstrapWritten) {
      s.problems()
          .error(
              s.path(),
              "set either identity_cert + identity_pk or bootstrap_identity_cert + bootstrap_identity_pk, not both");
      bootstrap = Optional.empty();
    }
    return new EstAuth(basic, identity, bootstrap);
  }

  private static Optional<BasicAuth> basic(Section s) {
    boolean hasUser = s.has("username");
    boolean hasPassword = s.has("password");
    if (hasUser && !hasPassword) {
      s.error("password", "missing; username is set, and Basic authentication needs both");
    }
    if (hasPassword && !hasUser) {
      s.error("username", "missing; password is set, and Basic authentication needs both");
    }
    Optional<String> user = s.nonEmptyString("username");
    Optional<String> password = secret(s);
    return user.isPresent() && password.isPresent()
        ? Optional.of(new BasicAuth(user.get(), password.get()))
        : Optional.empty();
  }

  /** The password, reported without ever showing it. */
  private static Optional<String> secret(Section s) {
    Object raw = s.raw("password");
    if (raw == null) {
      return Optional.empty();
    }
    if (!(raw instanceof String p)) {
      s.error("password", "must be a string, not " + Section.typeName(raw));
      return Optional.empty();
    }
    if (p.isEmpty()) {
      s.error("password", "is empty");
      return Optional.empty();
    }
    return Optional.of(p);
  }

  private static Optional<X509Credential> pair(
      Section s, String certKey, String keyKey, boolean pkcs11Module) {
    boolean hasCert = s.has(certKey);
    boolean hasKey = s.has(keyKey);
    if (hasCert && !hasKey) {
      s.error(keyKey, "missing; " + certKey + " is set, and its private key is needed too");
    }
    if (hasKey && !hasCert) {
      s.error(certKey, "missing; " + keyKey + " is set, and its certificate is needed too");
    }
    Optional<URI> cert =
        s.nonEmptyString(certKey)
            .flatMap(t -> CredentialFiles.cert(s.keyPath(certKey), t, s.problems()));
    Optional<URI> key =
        s.nonEmptyString(keyKey)
            .flatMap(t -> CredentialFiles.key(s.keyPath(keyKey), t, pkcs11Module, s.problems()));
    return cert.isPresent() && key.isPresent()
        ? Optional.of(new X509Credential(cert.get(), key.get()))
        : Optional.empty();
  }
}
