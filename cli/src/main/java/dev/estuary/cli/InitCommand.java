package dev.estuary.cli;

import dev.estuary.server.install.ServerInit;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code estuary server init}: a production data directory (docs/operations.md). */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Makes a production data directory: CA hierarchy, TLS certificate, keystore and server.toml.",
      "The CAs are new, imported with --import-ca, or keys in a PKCS#11 token (--pkcs11-library, --token-ca); the TLS certificate is for --names; the database is H2, or PostgreSQL",
      "with --postgres-url. Prints the admin token once on stdout.",
      "Never writes into a directory that has anything in it. See docs/operations.md."
    })
final class InitCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      required = true,
      paramLabel = "DIR",
      description = "The new data directory (absent or empty).")
  Path dataDir;

  @Option(
      names = "--names",
      required = true,
      split = ",",
      paramLabel = "NAME",
      description =
          "DNS names and IP addresses the server is reached by, comma-separated: its TLS certificate's SANs.")
  List<String> names;

  @Option(
      names = "--import-ca",
      paramLabel = "NAME=FILE",
      description =
          "An existing CA instead of a new hierarchy: for each of idevid, device-id, edge-ca and tls, a PEM file (CA certificate,"
              + " chain up to the root, unencrypted key) or a PKCS#12 file (.p12/.pfx) with one key entry.")
  Map<String, Path> imports = Map.of();

  @Option(
      names = "--import-passphrase-file",
      paramLabel = "FILE",
      description = "Passphrase of the PKCS#12 files given to --import-ca.")
  Path importPassphraseFile;

  @Option(
      names = "--pkcs11-library",
      paramLabel = "MODULE",
      description =
          "CA keys that stay in a PKCS#11 token instead: the module (e.g. /usr/lib/softhsm/libsofthsm2.so); with"
              + " --pkcs11-token-label or --pkcs11-slot, --pkcs11-pin-file and --token-ca.")
  Path pkcs11Library;

  @Option(names = "--pkcs11-token-label", paramLabel = "LABEL", description = "The token's label.")
  String pkcs11TokenLabel;

  @Option(
      names = "--pkcs11-slot",
      paramLabel = "INDEX",
      defaultValue = "-1",
      description = "The token's slot list index, instead of its label.")
  int pkcs11Slot;

  @Option(
      names = "--pkcs11-pin-file",
      paramLabel = "FILE",
      description = "File holding the token's user PIN (copied into DIR/keys, 0600).")
  Path pkcs11PinFile;

  @Option(
      names = "--token-ca",
      paramLabel = "NAME=LABEL",
      description =
          "With --pkcs11-library, for each of idevid, device-id, edge-ca and tls: the label of the CA's private key and"
              + " certificate on the token (its chain up to the root on the token too). Each key is checked by signing a"
              + " challenge in the token; the TLS key is generated in the token. No private key leaves it.")
  Map<String, String> tokenCas = Map.of();

  @Option(
      names = "--postgres-url",
      paramLabel = "URL",
      description = "jdbc:postgresql://host:5432/estuary (default: H2 in DIR/db).")
  String postgresUrl;

  @Option(
      names = "--postgres-user",
      paramLabel = "USER",
      defaultValue = "estuary",
      description = "PostgreSQL role (default: ${DEFAULT-VALUE}).")
  String postgresUser;

  @Option(
      names = "--postgres-password-file",
      paramLabel = "FILE",
      description = "File holding the role's password (copied into DIR/keys).")
  Path postgresPasswordFile;

  @Option(
      names = "--est-listen",
      paramLabel = "HOST:PORT",
      defaultValue = "*:8443",
      description = "Device port (default: ${DEFAULT-VALUE}).")
  String estListen;

  @Option(
      names = "--admin-listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9443",
      description = "Admin port (default: ${DEFAULT-VALUE}).")
  String adminListen;

  @Override
  public Integer call() throws Exception {
    ServerInit.Result r;
    try {
      ServerInit.Token token = null;
      if (pkcs11Library != null) {
        if (pkcs11PinFile == null) {
          throw new IllegalArgumentException("--pkcs11-library needs --pkcs11-pin-file");
        }
        token =
            new ServerInit.Token(
                pkcs11Library, pkcs11TokenLabel, pkcs11Slot, pkcs11PinFile, tokenCas);
      } else if (!tokenCas.isEmpty() || pkcs11TokenLabel != null || pkcs11PinFile != null) {
        throw new IllegalArgumentException(
            "--token-ca, --pkcs11-token-label and --pkcs11-pin-file need --pkcs11-library");
      }
      r =
          ServerInit.init(
              new ServerInit.Options(
                  dataDir,
                  names,
                  imports,
                  importPassphraseFile,
                  postgresUrl,
                  postgresUser,
                  postgresPasswordFile,
                  estListen,
                  adminListen),
              token,
              Clock.systemUTC(),
              new SecureRandom());
    } catch (IllegalArgumentException e) {
      System.err.println("estuary server init: " + e.getMessage());
      return 2;
    }
    System.out.println(r.adminToken());
    System.err.println("estuary server init: made " + r.configFile().getParent());
    System.err.println("  server.toml:  " + r.configFile());
    System.err.println(
        "  root CA:      " + r.rootPem() + "   (give it to devices and curl --cacert)");
    System.err.println("  TLS names:    " + String.join(", ", r.tlsNames()));
    if (r.offlineKeys() != null) {
      System.err.println(
          "  offline keys: "
              + r.offlineKeys()
              + "   (the root's and the TLS CA's keys: move them off this machine)");
    }
    System.err.println(
        "  admin token:  printed above on stdout, shown only now; server.toml keeps only its hash");
    System.err.println("Start: estuary server --config " + r.configFile());
    return 0;
  }
}
