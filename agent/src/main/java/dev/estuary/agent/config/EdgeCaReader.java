package dev.estuary.agent.config;

import dev.estuary.config.Section;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code [edge_ca]}. Only {@code method = "est"} is managed by the agent; aziot's other forms
 * (a preloaded {@code cert} + {@code pk}, the quickstart CA, {@code local_ca}, {@code self_signed})
 * are valid files for IoT Edge and get a warning; any other method is an error.
 */
final class EdgeCaReader {
  static final Set<String> OTHER_METHODS = Set.of("local_ca", "self_signed");

  private EdgeCaReader() {}

  static Optional<EstCertificate> read(Section root, CertificateReader certificates) {
    Optional<Section> table = root.table("edge_ca");
    if (table.isEmpty()) {
      return Optional.empty();
    }
    Section e = table.get();
    if (!e.has("method")) {
      e.problems()
          .warning(
              e.path(),
              "not issued over EST (no method = \"est\"); "
                  + AgentConfigParser.NOT_USED
                  + ", which will not manage the Edge CA");
      return Optional.empty();
    }
    Optional<String> method = e.string("method");
    if (method.isEmpty()) {
      return Optional.empty();
    }
    if (OTHER_METHODS.contains(method.get())) {
      e.warning(
          "method",
          "'"
              + method.get()
              + "' is "
              + AgentConfigParser.NOT_USED
              + ", which will not manage the Edge CA");
      return Optional.empty();
    }
    if (!method.get().equals("est")) {
      e.error("method", "'" + method.get() + "' is not supported; use \"est\"");
      return Optional.empty();
    }
    return certificates.read(
        e, EstCertificate.EDGE_CA, Optional.of(EstCertificate.DEFAULT_EDGE_CA_COMMON_NAME));
  }
}
