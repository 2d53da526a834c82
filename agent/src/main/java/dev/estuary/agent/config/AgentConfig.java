package dev.estuary.agent.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
    Path source, AgentSettings agent, EstSettings est, Provisioning provisioning, Optional<EstCertificate> edgeCa) {

  public AgentConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(est, "est");
    Objects.requireNonNull(provisioning, "provisioning");
    Objects.requireNonNull(edgeCa, "edgeCa");
  }

  /** The certificates the agent obtains and renews over EST: the device identity, then the Edge CA. */
  public List<EstCertificate> estCertificates() {
    List<EstCertificate> certs = new ArrayList<>(2);
    if (provisioning.deviceIdentity().orElse(null) instanceof DeviceIdentity.Issued issued) {
      certs.add(issued.certificate());
    }
    edgeCa.ifPresent(certs::add);
    return List.copyOf(certs);
  }

  /** True when some certificate is requested with a bootstrap identity, so {@code est-id} is needed. */
  public boolean needsEstIdentity() {
    return estCertificates().stream().anyMatch(c -> c.auth().needsEstIdentity());
  }

  /** This configuration with another state directory (the command line's {@code --state-dir}). */
  public AgentConfig withStateDir(Path dir) {
    return new AgentConfig(source, agent.withStateDir(dir), est, provisioning, edgeCa);
  }
}
