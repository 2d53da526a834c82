package dev.estuary.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The [connections] table of server.toml (issue 10, point 5: slow clients). */
class ConnectionsConfigTest {
  @TempDir Path dir;

  private static final String MINIMAL =
      """
      [database]
      url = "jdbc:postgresql://db.example:5432/estuary"
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

  @Test
  void defaultsWhenAbsent() throws Exception {
    assertThat(parse(MINIMAL).connections())
        .isEqualTo(
            new ServerConfig.Connections(Duration.ofSeconds(20), Duration.ofSeconds(60), 256));
  }

  @Test
  void readsTheTable() throws Exception {
    ServerConfig c =
        parse(
            MINIMAL
                + "[connections]\nheader_timeout = \"5s\"\nrequest_timeout = \"2m\"\nmax_per_address = 0\n");
    assertThat(c.connections())
        .isEqualTo(new ServerConfig.Connections(Duration.ofSeconds(5), Duration.ofMinutes(2), 0));
  }

  @Test
  void refusesBadValuesNamingTheKey() {
    assertThatThrownBy(
            () ->
                parse(
                    MINIMAL
                        + "[connections]\nheader_timeout = \"soon\"\nrequest_timeout = \"2h\"\nmax_per_address = -1\nslow = 1\n"))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .anySatisfy(p -> assertThat(p).startsWith("connections.header_timeout"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith("connections.request_timeout")
                                .contains("longer than 1h"))
                    .anySatisfy(p -> assertThat(p).startsWith("connections.max_per_address"))
                    .anySatisfy(p -> assertThat(p).startsWith("connections.slow: unknown key")));
  }

  /**
   * Found by ServerConfigFuzzTest (its input stays in the corpus): tomlj's getTable threw on a
   * scalar.
   */
  @Test
  void aScalarWhereATableBelongsIsAProblemNotAnException() {
    assertThatThrownBy(
            () ->
                parse(
                    "admin = -1\nlabels = 3\n"
                        + MINIMAL.replace("[labels.devices]\nca = \"issuing\"\n", "")))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .anySatisfy(p -> assertThat(p).startsWith("admin: must be a table"))
                    .anySatisfy(p -> assertThat(p).startsWith("labels: must be a table")));
  }
}
