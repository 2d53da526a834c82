package dev.estuary.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.config.EstCertificate;
import dev.estuary.cli.EstuaryJar;
import dev.estuary.server.testing.QuickstartServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, point 5, end to end: the agent (the jar, in a child process) with {@code [aziot_keys]
 * pkcs11_base_slot} generates its keys inside a real SoftHSM2 token, signs its CSRs with them and
 * authenticates to the quickstart server with them over mTLS (the device identity's renewal and the
 * registration with the provisioning service both present the token key). No private key is ever
 * written to the state directory: the key files are pointers to token objects.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AgentPkcs11IT {
  static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  static final String PIN = "1234";

  @TempDir Path work;

  @Test
  void keysGeneratedInTheTokenSignTheCsrsAndAuthenticateTheDevice() throws Exception {
    Path conf = work.resolve("softhsm2.conf");
    Path tokens = Files.createDirectories(work.resolve("tokens"));
    Files.writeString(
        conf,
        "directories.tokendir = "
            + tokens
            + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
    Map<String, String> env = Map.of("SOFTHSM2_CONF", conf.toString());
    softhsm(env, "--init-token", "--free", "--label", "edge", "--pin", PIN, "--so-pin", "5678");

    try (QuickstartServer server = QuickstartServer.start(work.resolve("server"))) {
      // The seed's file with a bootstrap identity (so the device renews with a token key), plus the
      // token.
      Device device =
          Device.create(
              work.resolve("device"),
              server,
              toml ->
                  Device.bootstrap(toml)
                      + "\n[aziot_keys]\npkcs11_lib_path = \""
                      + MODULE
                      + "\"\npkcs11_base_slot = \"pkcs11:token=edge?pin-value="
                      + PIN
                      + "\"\n");
      EstuaryJar.Result first = run(env, device, "run", "--once");
      assertThat(first.code()).as(first.describe()).isZero();
      assertThat(first.err() + first.out())
          .as("the PIN never reaches the output")
          .doesNotContain("pin-value=" + PIN);

      for (String id :
          List.of(EstCertificate.EST_ID, EstCertificate.DEVICE_ID, EstCertificate.EDGE_CA)) {
        String pointer = Files.readString(device.keyFile(id), StandardCharsets.US_ASCII);
        assertThat(pointer).as(id).startsWith("pkcs11:token=edge;object=").doesNotContain("pin");
        device.assertChainsToRoot(device.chain(id));
      }
      assertThat(allText(device.state))
          .as("no private key in the state directory")
          .doesNotContain("PRIVATE KEY");
      long objects = tokenObjects(tokens);
      assertThat(objects).as("a key and its placeholder certificate per credential").isEqualTo(6);

      // Renew the device identity with a new key: est-id's token key authenticates, the new key
      // signs.
      String oldPointer = Files.readString(device.keyFile(EstCertificate.DEVICE_ID));
      EstuaryJar.Result renew = run(env, device, "renew", EstCertificate.DEVICE_ID, "--now");
      assertThat(renew.code()).as(renew.describe()).isZero();
      assertThat(Files.readString(device.keyFile(EstCertificate.DEVICE_ID)))
          .isNotEqualTo(oldPointer);
      assertThat(tokenObjects(tokens))
          .as("the replaced key is destroyed in the token")
          .isEqualTo(objects);
      assertThat(AgentState.read(device.state).path("provisioning").path("status").asText())
          .isEqualTo("assigned");
    }
  }

  private static EstuaryJar.Result run(Map<String, String> env, Device device, String... command)
      throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(cmd(device.agent(command))).directory(device.dir.toFile());
    pb.environment().putAll(env);
    return EstuaryJar.run(device.dir, pb);
  }

  private static List<String> cmd(String... args) {
    List<String> c = new ArrayList<>(List.of(EstuaryJar.java(), "-jar", EstuaryJar.jar()));
    c.addAll(List.of(args));
    return c;
  }

  private static void softhsm(Map<String, String> env, String... args) throws Exception {
    List<String> c = new ArrayList<>(List.of("softhsm2-util"));
    c.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(c)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static long tokenObjects(Path tokens) throws Exception {
    try (Stream<Path> files = Files.walk(tokens)) {
      return files
          .filter(
              f ->
                  f.getFileName().toString().endsWith(".object")
                      && !f.getFileName().toString().equals("token.object"))
          .count();
    }
  }

  private static String allText(Path dir) throws Exception {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        all.append(Files.readString(f, StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }
}
