package dev.estuary.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tomlj.Toml;

class EffectiveConfigTest {
  @TempDir Path dir;

  @Test
  void createsAPrivateStateDirectoryAndAReadableReport() throws IOException {
    AgentConfig config = config(dir.resolve("state/nested"));

    Path written = EffectiveConfig.write(config);

    assertThat(written).isEqualTo(dir.resolve("state/nested/effective-config.toml"));
    assertThat(written).hasContent(EffectiveConfig.render(config));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written)))
        .isEqualTo("rw-r--r--");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void replacesTheFormerReportAndLeavesNoTemporaryFile() throws IOException {
    Path state = dir.resolve("state");
    Files.createDirectories(state);
    Files.writeString(state.resolve(EffectiveConfig.FILE_NAME), "former report");

    EffectiveConfig.write(config(state));

    assertThat(state.resolve(EffectiveConfig.FILE_NAME))
        .content()
        .doesNotContain("former report")
        .startsWith("# Effective configuration");
    try (Stream<Path> files = Files.list(state)) {
      assertThat(files)
          .map(p -> p.getFileName().toString())
          .containsExactly(EffectiveConfig.FILE_NAME);
    }
  }

  @Test
  void theReportIsValidTomlThatNamesWhereEachUrlCameFrom() {
    String text = EffectiveConfig.render(config(dir));

    var toml = Toml.parse(text);
    assertThat(toml.errors()).isEmpty();
    assertThat(toml.getString("certificates.aziot-edged-ca.url_from")).isEqualTo("edge_ca.url");
    assertThat(toml.getString("certificates.aziot-edged-ca.auth.password"))
        .isEqualTo(EffectiveConfig.REDACTED);
  }

  private static AgentConfig config(Path stateDir) {
    EstAuth auth =
        new EstAuth(Optional.of(new BasicAuth("u", "p\"w")), Optional.empty(), Optional.empty());
    EstCertificate edgeCa =
        new EstCertificate(
            EstCertificate.EDGE_CA,
            "edge \"CA\"",
            URI.create("https://est.example/.well-known/est/edge-ca/"),
            "edge_ca.url",
            auth,
            "cert_issuance.est.auth",
            RenewalSettings.DEFAULT);
    EstSettings est =
        new EstSettings(
            List.of(URI.create("file:///etc/root.pem")), auth, RenewalSettings.DEFAULT, Map.of());
    AgentSettings agent = new AgentSettings(stateDir, KeyType.EC_P256, false, Optional.empty());
    return new AgentConfig(
        Path.of("/etc/aziot/config.toml"),
        agent,
        est,
        new Provisioning.None("none"),
        Optional.of(edgeCa));
  }
}
