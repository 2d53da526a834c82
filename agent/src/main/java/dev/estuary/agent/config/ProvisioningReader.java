package dev.estuary.agent.config;

import dev.estuary.config.Section;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code [provisioning]}: {@code source = "dps"} with X.509 attestation, {@code "manual"}
 * with X.509 authentication, or {@code "none"}; and the device identity certificate in it.
 */
final class ProvisioningReader {
  static final Set<String> DPS_KEYS =
      Set.of("source", "global_endpoint", "id_scope", "attestation");
  static final Set<String> DPS_IGNORED =
      Set.of("always_reprovision_on_startup", "payload", "dynamic_reprovisioning");
  static final Set<String> MANUAL_KEYS =
      Set.of("source", "iothub_hostname", "device_id", "authentication");
  static final Set<String> X509_KEYS =
      Set.of("method", "registration_id", "identity_cert", "identity_pk");
  private static final Pattern REGISTRATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern ID_SCOPE = Pattern.compile("[A-Za-z0-9]+");

  private final CertificateReader certificates;
  private final boolean pkcs11Module;

  private ProvisioningReader(CertificateReader certificates, boolean pkcs11Module) {
    this.certificates = certificates;
    this.pkcs11Module = pkcs11Module;
  }

  /** The provisioning settings, or empty when they are missing or wrong (reported). */
  static Optional<Provisioning> read(
      Section root, CertificateReader certificates, boolean pkcs11Module) {
    if (!root.has("provisioning")) {
      root.error(
          "provisioning",
          "missing; add [provisioning] with source = \"dps\", \"manual\" or \"none\"");
      return Optional.empty();
    }
    return root.table("provisioning")
        .flatMap(new ProvisioningReader(certificates, pkcs11Module)::provisioning);
  }

  private Optional<Provisioning> provisioning(Section p) {
    Optional<String> source = p.requiredString("source", "one of \"dps\", \"manual\", \"none\"");
    if (source.isEmpty()) {
      return Optional.empty();
    }
    return switch (source.get()) {
      case "dps" -> dps(p);
      case "manual" -> manual(p);
      case "none" -> {
        p.checkKeys(Set.of("source"), Set.of());
        yield Optional.of(new Provisioning.None("none"));
      }
      default -> {
        p.error("source", "'" + source.get() + "' is not one of: dps, manual, none");
        yield Optional.empty();
      }
    };
  }

  private Optional<Provisioning> dps(Section p) {
    p.checkKeys(DPS_KEYS, DPS_IGNORED);
    Optional<URI> endpoint =
        p.requiredString(
                "global_endpoint",
                "the provisioning service's URL, e.g. \"https://global.azure-devices-provisioning.net\"")
            .flatMap(t -> HttpsUrls.check(p.keyPath("global_endpoint"), t, false, p.problems()));
    Optional<String> idScope =
        p.requiredString("id_scope", "the ID scope of the provisioning service");
    idScope
        .filter(s -> !ID_SCOPE.matcher(s).matches())
        .ifPresent(
            s ->
                p.warning(
                    "id_scope",
                    "'"
                        + s
                        + "' does not look like an ID scope (letters and digits, e.g. 0ne00000A0A)"));
    if (!p.has("attestation")) {
      p.error(
          "attestation",
          "missing; add [provisioning.attestation] with method = \"x509\", registration_id and identity_cert");
      return Optional.empty();
    }
    Optional<Section> attestation = p.table("attestation");
    if (attestation.isEmpty()) {
      return Optional.empty();
    }
    Section a = attestation.get();
    Optional<String> method = a.requiredString("method", "\"x509\"");
    if (method.isEmpty()) {
      return Optional.empty();
    }
    if (!method.get().equals("x509")) {
      a.error(
          "method",
          "'" + method.get() + "' is not supported; estuary agent provisions with \"x509\"");
      return Optional.empty();
    }
    a.checkKeys(X509_KEYS, Set.of());
    Optional<String> registrationId =
        a.requiredString("registration_id", "the device's registration id, e.g. \"my-device-id\"");
    if (registrationId.isPresent() && !REGISTRATION_ID.matcher(registrationId.get()).matches()) {
      a.error(
          "registration_id",
          "'" + registrationId.get() + "' must be 1-64 letters, digits, '-', '.', '_' or ':'");
      registrationId = Optional.empty();
    }
    Optional<DeviceIdentity> identity = identity(a, registrationId);
    if (identity.orElse(null) instanceof DeviceIdentity.Issued issued
        && registrationId.isPresent()) {
      String cn = issued.certificate().commonName();
      if (!cn.equals(registrationId.get())) {
        Section cert = a.table("identity_cert").orElseThrow();
        cert.error(
            "common_name",
            "'"
                + cn
                + "' must equal registration_id '"
                + registrationId.get()
                + "' (the provisioning service matches the certificate's CN to it)");
      }
    }
    if (endpoint.isEmpty() || idScope.isEmpty() || registrationId.isEmpty() || identity.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Provisioning.Dps(endpoint.get(), idScope.get(), registrationId.get(), identity.get()));
  }

  private Optional<Provisioning> manual(Section p) {
    if (p.has("connection_string")) {
      p.checkKeys(Set.of("source", "connection_string"), Set.of());
      p.warning(
          "connection_string",
          AgentConfigParser.NOT_USED + " (it manages X.509 device identities only)");
      return Optional.of(new Provisioning.None("manual"));
    }
    p.checkKeys(MANUAL_KEYS, Set.of());
    Optional<String> hub =
        p.requiredString(
            "iothub_hostname", "the IoT hub's host name, e.g. \"example.azure-devices.net\"");
    Optional<String> deviceId = p.requiredString("device_id", "the device's id in the hub");
    if (!p.has("authentication")) {
      p.error(
          "authentication",
          "missing; add [provisioning.authentication] with method = \"x509\" and identity_cert");
      return Optional.empty();
    }
    Optional<Section> authentication = p.table("authentication");
    if (authentication.isEmpty()) {
      return Optional.empty();
    }
    Section a = authentication.get();
    Optional<String> method = a.requiredString("method", "\"x509\"");
    if (method.isEmpty()) {
      return Optional.empty();
    }
    if (method.get().equals("sas")) {
      a.warning(
          "method",
          "'sas' is " + AgentConfigParser.NOT_USED + " (it manages X.509 device identities only)");
      return Optional.of(new Provisioning.None("manual"));
    }
    if (!method.get().equals("x509")) {
      a.error("method", "'" + method.get() + "' is not one of: x509, sas");
      return Optional.empty();
    }
    a.checkKeys(Set.of("method", "identity_cert", "identity_pk"), Set.of());
    Optional<DeviceIdentity> identity = identity(a, deviceId);
    if (identity.orElse(null) instanceof DeviceIdentity.Issued issued && deviceId.isPresent()) {
      String cn = issued.certificate().commonName();
      if (!cn.equals(deviceId.get())) {
        a.table("identity_cert")
            .orElseThrow()
            .warning(
                "common_name",
                "'"
                    + cn
                    + "' differs from device_id '"
                    + deviceId.get()
                    + "'; the hub expects them equal");
      }
    }
    if (hub.isEmpty() || deviceId.isEmpty() || identity.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Provisioning.Manual(hub.get(), deviceId.get(), identity.get()));
  }

  /**
   * The device identity of an attestation or authentication table: {@code identity_cert} as a table
   * with {@code method = "est"}, or as a file URI with {@code identity_pk}.
   */
  private Optional<DeviceIdentity> identity(Section a, Optional<String> defaultCommonName) {
    Object raw = a.raw("identity_cert");
    if (raw == null) {
      a.error(
          "identity_cert",
          "missing; a table with method = \"est\" to obtain it over EST, or a file:/// URI together with identity_pk");
      return Optional.empty();
    }
    if (raw instanceof String text) {
      if (!a.has("identity_pk")) {
        a.error(
            "identity_pk", "missing; identity_cert is a file, and its private key is needed too");
      }
      Optional<URI> cert = CredentialFiles.cert(a.keyPath("identity_cert"), text, a.problems());
      Optional<URI> key =
          a.nonEmptyString("identity_pk")
              .flatMap(
                  k ->
                      CredentialFiles.key(a.keyPath("identity_pk"), k, pkcs11Module, a.problems()));
      return cert.isPresent() && key.isPresent()
          ? Optional.of(new DeviceIdentity.Preloaded(new X509Credential(cert.get(), key.get())))
          : Optional.empty();
    }
    Optional<Section> table = a.table("identity_cert");
    if (table.isEmpty()) {
      return Optional.empty();
    }
    if (a.has("identity_pk")) {
      a.error(
          "identity_pk",
          "only goes with an identity_cert that is a file; the agent makes the key of a certificate it obtains");
    }
    Section t = table.get();
    Optional<String> method =
        t.requiredString("method", "\"est\" (the agent obtains the certificate over EST)");
    if (method.isEmpty()) {
      return Optional.empty();
    }
    if (!method.get().equals("est")) {
      t.error(
          "method",
          "'"
              + method.get()
              + "' is not supported; estuary agent obtains the device identity with \"est\"");
      return Optional.empty();
    }
    return certificates
        .read(t, EstCertificate.DEVICE_ID, defaultCommonName)
        .map(DeviceIdentity.Issued::new);
  }
}
