package dev.estuary.config;

import java.util.Objects;

/**
 * One thing wrong (or merely ignored) in a configuration file, tied to the key it is about.
 *
 * <p>Printed as {@code key.path: what is wrong} for an error and {@code warning: key.path: what}
 * for a warning, e.g. {@code cert_issuance.est.urls.default: 'htp://x' is not an https URL}.
 *
 * @param severity whether the file can be used despite this problem
 * @param path the dotted key path ({@code provisioning.attestation.identity_cert.url}), an array
 *     element ({@code cert_issuance.est.trusted_certs[0]}), or the file name with a line and column
 *     for TOML syntax errors ({@code config.toml:3:7})
 * @param message what is wrong and, where it helps, what to write instead; never a secret
 */
public record ConfigProblem(Severity severity, String path, String message) {

  /** How much a problem matters. */
  public enum Severity {
    /** The program cannot run with this configuration. */
    ERROR,
    /** The program runs, but something in the file is ignored or looks suspicious. */
    WARNING
  }

  public ConfigProblem {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  /** An error at {@code path}. */
  public static ConfigProblem error(String path, String message) {
    return new ConfigProblem(Severity.ERROR, path, message);
  }

  /** A warning at {@code path}. */
  public static ConfigProblem warning(String path, String message) {
    return new ConfigProblem(Severity.WARNING, path, message);
  }

  /** True for an error. */
  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** {@code path: message}, prefixed with {@code warning: } for a warning. */
  @Override
  public String toString() {
    return (isError() ? "" : "warning: ") + path + ": " + message;
  }
}
