package dev.estuary.cli.agent;

import dev.estuary.agent.store.CertificateFiles;
import dev.estuary.agent.store.FileKeys;
import dev.estuary.cli.demo.SeedConfig;
import dev.estuary.pki.Pem;
import dev.estuary.server.it.SeedFlow;
import dev.estuary.server.testing.QuickstartServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A device for the agent's end-to-end tests: a work directory holding the IDevID the seed's
 * commands made (real curl and openssl against the quickstart server), the seed's config.toml with
 * its URLs and paths pointed at that server and directory, and the agent's state directory.
 */
final class Device {
  final Path dir;
  final Path config;
  final Path state;
  final QuickstartServer server;

  private Device(Path dir, QuickstartServer server) {
    this.dir = dir;
    this.config = dir.resolve("config.toml");
    this.state = dir.resolve("state");
    this.server = server;
  }

  /**
   * Makes the IDevID with the seed's commands and writes the seed's config.toml, edited further by
   * {@code edit} (e.g. to use a bootstrap identity).
   */
  static Device create(Path dir, QuickstartServer server, UnaryOperator<String> edit)
      throws IOException {
    Files.createDirectories(dir);
    // A new device with the seed's registration id replaces the previous one on a server tests
    // share: as an operator would, forget the old registration, which belongs to the old
    // device's identity (docs/provisioning.md).
    server.server().registrations().delete("my-device-id");
    SeedFlow.run(dir, server.estUrl(), server.rootPem(), server.factorySecret());
    Device d = new Device(dir, server);
    d.writeConfig(edit);
    return d;
  }

  /** The seed's config.toml with URLs and paths for this device, then {@code edit}. */
  void writeConfig(UnaryOperator<String> edit) throws IOException {
    Files.writeString(config, edit.apply(SeedConfig.pointedAt(server.info(), dir)));
  }

  /** A quickstart server.toml with name binding off on every label. */
  static String withoutNameBinding(String serverToml) {
    if (!serverToml.contains("bind_names = true")) {
      throw new IllegalStateException("the quickstart server.toml no longer sets bind_names");
    }
    return serverToml.replace("bind_names = true", "bind_names = false");
  }

  /** The seed's identity_cert/identity_pk turned into bootstrap_identity_cert/_pk. */
  static String bootstrap(String toml) {
    return toml.replace("\nidentity_cert = ", "\nbootstrap_identity_cert = ")
        .replace("\nidentity_pk = ", "\nbootstrap_identity_pk = ");
  }

  /** The agent's options for this device. */
  String[] agent(String... command) {
    String[] args = new String[command.length + 5];
    args[0] = "agent";
    System.arraycopy(command, 0, args, 1, command.length);
    args[command.length + 1] = "-c";
    args[command.length + 2] = config.toString();
    args[command.length + 3] = "--state-dir";
    args[command.length + 4] = state.toString();
    return args;
  }

  Path certFile(String id) {
    return CertificateFiles.path(state.resolve("certs"), id);
  }

  Path keyFile(String id) {
    return FileKeys.path(state.resolve("keys"), id);
  }

  List<X509Certificate> chain(String id) throws Exception {
    return Pem.certificates(Files.readString(certFile(id)));
  }

  X509Certificate leaf(String id) throws Exception {
    return chain(id).getFirst();
  }

  String fingerprint(String id) throws Exception {
    return new CertificateFiles(state.resolve("certs")).fingerprint(id).orElseThrow();
  }

  /** PKIX-validates {@code chain} (leaf first, intermediates after) up to the quickstart root. */
  void assertChainsToRoot(List<X509Certificate> chain) throws Exception {
    X509Certificate root = server.root();
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(
            CertificateFactory.getInstance("X.509")
                .generateCertPath(chain.stream().filter(c -> !c.equals(root)).toList()),
            params);
  }
}
