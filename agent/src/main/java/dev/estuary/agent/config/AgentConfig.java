package dev.estuary.agent.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Everything the agent uses from an aziot {@code config.toml}, validated, with defaults filled in
 * and every EST URL resolved. Built by {@link AgentConfigParser}; see the package documentation for
 * the keys.
 *
 * @param source the file it was read from
 * @param agent the agent's own settings ({@code [estuary]}, {@code [aziot_keys]})
 * @param est the shared EST settings ({@code [cert_issuance.est]})
 * @param provisioning how the device is provisioned, and its identity certificate
 * @param edgeCa the Edge CA, when {@code [edge_ca]} has {@code method = "est"}
 */
public record AgentConfig(
    Path source,
    AgentSettings agent,
    EstSettings est,
    Provisioning provisioning,
    Optional<EstCertificate> edgeCa) {

  public AgentConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(est, "est");
    Objects.requireNonNull(provisioning, "provisioning");
    Objects.requireNonNull(edgeCa, "edgeCa");
  }

  /**
   * The certificates the agent obtains and renews over EST: the device identity, then the Edge CA.
   */
  public List<EstCertificate> estCertificates() {
    List<EstCertificate> certs = new ArrayList<>(2);
    if (provisioning.deviceIdentity().orElse(null) instanceof DeviceIdentity.Issued issued) {
      certs.add(issued.certificate());
    }
    edgeCa.ifPresent(certs::add);
    return List.copyOf(certs);
  }

  /**
   * True when some certificate is requested with a bootstrap identity, so {@code est-id} is needed.
   */
  public boolean needsEstIdentity() {
    return estCertificates().stream().anyMatch(c -> c.auth().needsEstIdentity());
  }

  /**
   * The PKCS#11 module the agent loads: {@code [aziot_keys] pkcs11_lib_path}, or else the {@code
   * module-path} of the first {@code pkcs11:} key URI that names one (keys are then only opened
   * from the token, never generated in it).
   */
  public Optional<Pkcs11Settings> pkcs11Module() {
    if (agent.pkcs11().isPresent()) {
      return agent.pkcs11();
    }
    return estCertificates().stream()
        .map(EstCertificate::auth)
        .flatMap(a -> Stream.of(a.identity(), a.bootstrapIdentity()).flatMap(Optional::stream))
        .filter(X509Credential::keyInToken)
        .flatMap(c -> Pkcs11Uri.parse(c.key().toString()).decoded("module-path").stream())
        .findFirst()
        .map(
            path ->
                new Pkcs11Settings(
                    Path.of(new String(path, StandardCharsets.UTF_8)), Optional.empty()));
  }

  /** This configuration with another state directory (the command line's {@code --state-dir}). */
  public AgentConfig withStateDir(Path dir) {
    return new AgentConfig(source, agent.withStateDir(dir), est, provisioning, edgeCa);
  }
}
