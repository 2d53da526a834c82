package dev.estuary.agent.testing;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.AgentConfigParser;
import dev.estuary.agent.config.ConfigParseResult;
import dev.estuary.agent.testing.ScriptedEstServer.Answer;
import dev.estuary.agent.testing.ScriptedEstServer.Response;
import dev.estuary.pki.Pem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A device for agent component tests, written into one directory: a {@code config.toml} that
 * obtains the Edge CA ({@code aziot-edged-ca}) over EST with Basic from one URL, the root that
 * URL's TLS certificate chains to ({@code root.pem}), and the state directory {@code state/}.
 *
 * @param config the {@code config.toml}
 * @param stateDir the agent's state directory (not created here)
 */
public record EdgeCaDevice(Path config, Path stateDir) {
  /** The credential id the device manages. */
  public static final String EDGE_CA = "aziot-edged-ca";

  /**
   * Writes the device into {@code dir} for the EST server at {@code url}, trusting {@code ca}'s
   * root.
   */
  public static EdgeCaDevice write(Path dir, URI url, TestCa ca) throws IOException {
    Path root = Files.writeString(dir.resolve("root.pem"), Pem.encode(ca.certificate()));
    Path stateDir = dir.resolve("state");
    Path config =
        Files.writeString(
            dir.resolve("config.toml"),
            """
            [estuary]
            state_dir = "%s"

            [cert_issuance.est]
            trusted_certs = ["%s"]

            [cert_issuance.est.auth]
            username = "gateway-7"
            password = "s3cret-do-not-print"

            [cert_issuance.est.urls]
            default = "%s"

            [provisioning]
            source = "none"

            [edge_ca]
            method = "est"
            """
                .formatted(stateDir, root.toUri(), url));
    return new EdgeCaDevice(config, stateDir);
  }

  /** The configuration parsed, with its problems. */
  public ConfigParseResult parse() {
    return AgentConfigParser.parse(config);
  }

  /** The configuration, which must be valid. */
  public AgentConfig agentConfig() {
    ConfigParseResult parsed = parse();
    return parsed
        .config()
        .orElseThrow(() -> new AssertionError("invalid test configuration: " + parsed.problems()));
  }

  /**
   * A good EST server for this device: {@code cacerts} gives {@code ca}'s root, an enrollment an
   * Edge CA certificate from {@code ca} for the CSR's key.
   */
  public static Answer server(TestCa ca) {
    Answer enroll = ScriptedEstServer.enrolling(spki -> ca.edgeCa("aziot-edge CA", spki));
    return r ->
        r.uri().getPath().endsWith("/cacerts") ? Response.certs(ca.certificate()) : enroll.to(r);
  }
}
