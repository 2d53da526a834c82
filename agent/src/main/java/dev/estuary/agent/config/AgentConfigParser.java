package dev.estuary.agent.config;

import dev.estuary.config.Problems;
import dev.estuary.config.Section;
import dev.estuary.config.TomlFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlParseResult;

/**
 * Reads an aziot {@code config.toml} (the file {@code iotedge config apply} reads) for the agent
 * and reports every mistake at once, each at its key path. See the package documentation for what
 * is read, what is ignored with a warning and what is an error.
 */
public final class AgentConfigParser {
  /** The warning for a key of aziot / IoT Edge that the agent leaves alone. */
  static final String NOT_USED = "not used by estuary agent";

  /** Top-level keys the agent reads. */
  static final Set<String> TOP_LEVEL =
      Set.of("cert_issuance", "provisioning", "edge_ca", "estuary", "aziot_keys");

  /** Top-level keys of aziot / IoT Edge that the agent leaves alone (a warning each). */
  static final Set<String> TOP_LEVEL_IGNORED =
      Set.of(
          "hostname",
          "parent_hostname",
          "local_gateway_hostname",
          "trust_bundle_cert",
          "manifest_trust_bundle_cert",
          "additional_info",
          "allow_elevated_docker_permissions",
          "auto_reprovisioning_mode",
          "prefer_module_identity_cache",
          "imported_master_encryption_key",
          "iotedge_max_requests",
          "cloud_timeout_sec",
          "cloud_retries",
          "homedir",
          "agent",
          "connect",
          "listen",
          "watchdog",
          "moby_runtime",
          "image_garbage_collection",
          "preloaded_keys",
          "preloaded_certs",
          "tpm",
          "localid",
          "principal",
          "endpoints",
          "mqtt_broker");

  private AgentConfigParser() {}

  /** Reads {@code file}; never throws for a bad or missing file, which is reported as a problem. */
  public static ConfigParseResult parse(Path file) {
    Problems problems = new Problems();
    Optional<TomlParseResult> toml = TomlFiles.read(file, problems);
    if (toml.isEmpty()) {
      return new ConfigParseResult(Optional.empty(), problems.all());
    }
    Path absolute = file.toAbsolutePath();
    Section root = Section.root(toml.get(), problems, NOT_USED, false);
    root.checkKeys(TOP_LEVEL, TOP_LEVEL_IGNORED);

    AgentSettings agent = AgentSettingsReader.read(root, absolute.getParent());
    boolean pkcs11Module = AgentSettingsReader.namesPkcs11Module(root);
    EstReader.Read est = EstReader.read(root, pkcs11Module);
    CertificateReader certificates = new CertificateReader(est, pkcs11Module);
    Optional<Provisioning> provisioning = ProvisioningReader.read(root, certificates, pkcs11Module);
    Optional<EstCertificate> edgeCa = EdgeCaReader.read(root, certificates);

    checkCredentials(certificates, problems);
    if (!problems.hasErrors()) {
      AgentConfig config =
          new AgentConfig(absolute, agent, est.settings(), provisioning.orElseThrow(), edgeCa);
      checkTrust(config, est, problems);
      checkSomethingToManage(config, file, problems);
      if (!problems.hasErrors()) {
        return new ConfigParseResult(Optional.of(config), problems.all());
      }
    }
    return new ConfigParseResult(Optional.empty(), problems.all());
  }

  private static void checkCredentials(CertificateReader certificates, Problems problems) {
    List<String> without = certificates.withoutCredentials();
    if (without.isEmpty()) {
      return;
    }
    String which =
        certificates.someHaveOwnCredentials()
            ? " (needed by "
                + String.join(" and ", without)
                + ", which set"
                + (without.size() == 1 ? "s" : "")
                + " none of "
                + (without.size() == 1 ? "its" : "their")
                + " own)"
            : "";
    problems.error("cert_issuance.est.auth", EstAuthTable.NO_CREDENTIALS + which);
  }

  private static void checkTrust(AgentConfig config, EstReader.Read est, Problems problems) {
    if (config.estCertificates().isEmpty()
        || !est.settings().trustedCerts().isEmpty()
        || config.agent().systemTrustStore()) {
      return;
    }
    problems.error(
        "cert_issuance.est.trusted_certs",
        (est.trustedCertsWritten() ? "is empty" : "missing")
            + "; list the root(s) the EST server's certificate chains to (file:///…),"
            + " or set system_trust_store = true in [estuary]");
  }

  private static void checkSomethingToManage(AgentConfig config, Path file, Problems problems) {
    if (config.estCertificates().isEmpty() && config.provisioning().deviceIdentity().isEmpty()) {
      problems.error(
          String.valueOf(file.getFileName()),
          "nothing for estuary agent to manage: no device identity certificate and no [edge_ca] with method = \"est\"");
    }
  }
}
