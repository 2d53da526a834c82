package dev.estuary.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [revocation]} in server.toml: defaults, every key, and each problem named. */
class RevocationConfigTest {
  @TempDir Path dir;

  private static final String MINIMAL =
      """
      [database]
      url = "jdbc:h2:mem:x"
      [keys]
      keystore = "estuary.p12"
      passphrase_file = "passphrase"
      [labels.devices]
      ca = "issuing"
      """;

  private ServerConfig parse(String toml) throws Exception {
    Path file = dir.resolve("server.toml");
    Files.writeString(file, toml);
    return ServerConfigParser.parse(file);
  }

  private List<String> problems(String toml) throws Exception {
    try {
      parse(toml);
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("accepted:\n" + toml);
  }

  @Test
  void withoutTheTableCertificatesNameNoUrlsAndTheCaSignsDayLongCrlsAndHourLongAnswers()
      throws Exception {
    ServerConfig.Revocation r = parse(MINIMAL).revocation();
    assertThat(r).isEqualTo(ServerConfig.Revocation.DEFAULT);
    assertThat(r.publicUrl()).isNull();
    assertThat(r.crlValidity()).isEqualTo(Duration.ofDays(1));
    assertThat(r.ocspValidity()).isEqualTo(Duration.ofHours(1));
    assertThat(r.ocspSigner()).isEqualTo("ca");
  }

  @Test
  void readsEveryKey() throws Exception {
    ServerConfig.Revocation r =
        parse(
                MINIMAL
                    + """
                    [revocation]
                    public_url = "https://est.example.com:8443/"
                    crl_validity = "12h"
                    ocsp_validity = "30m"
                    ocsp_signer = "delegated"
                    """)
            .revocation();
    assertThat(r)
        .isEqualTo(
            new ServerConfig.Revocation(
                "https://est.example.com:8443",
                Duration.ofHours(12),
                Duration.ofMinutes(30),
                "delegated"));
  }

  @Test
  void namesEveryProblemAtOnce() throws Exception {
    assertThat(
            problems(
                MINIMAL
                    + """
                    [revocation]
                    public_url = "ftp://est.example.com"
                    crl_validity = "10s"
                    ocsp_validity = "30d"
                    ocsp_signer = "hsm"
                    refresh = "1m"
                    """))
        .anySatisfy(p -> assertThat(p).startsWith("revocation.public_url: 'ftp://"))
        .anySatisfy(
            p -> assertThat(p).isEqualTo("revocation.crl_validity: '10s' is shorter than 1m"))
        .anySatisfy(
            p -> assertThat(p).isEqualTo("revocation.ocsp_validity: '30d' is longer than 7d"))
        .anySatisfy(p -> assertThat(p).contains("'hsm' is not one of: ca, delegated"))
        .anySatisfy(p -> assertThat(p).startsWith("revocation.refresh: unknown key"));
  }
}
