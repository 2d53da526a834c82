package dev.estuary.server.pkcs11;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Serials;
import dev.estuary.server.EstuaryServer;
import dev.estuary.server.ca.CaKeys;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The child JVM of {@link SoftHsmKeySourceTest}. It runs with {@code SOFTHSM2_CONF} pointing at a
 * private token directory (a running JVM cannot set its own environment, and SoftHSM2 reads it when
 * the module is initialised), in one of two modes:
 *
 * <ul>
 *   <li>{@code setup DATA_DIR LIBRARY SLOT_ID PIN}: copies the quickstart's software keys (root,
 *       device-id-ca, edge-ca-ca) from keys/ca-keys.p12 into the token, and generates the idevid-ca
 *       and tls keys inside the token (sensitive, not extractable), certified by the quickstart
 *       root. Prints {@code TOKEN <alias> <base64 DER>} for each key entry's certificate as read
 *       back from the token, and {@code EXTRACTABLE <alias> <true|false>}.
 *   <li>{@code serve DATA_DIR}: starts the server on the (already rewritten) server.toml with
 *       ephemeral ports, prints {@code EST_PORT <port>}, and serves until standard input closes (so
 *       it dies with the test JVM).
 * </ul>
 *
 * <p>Each line meant for the test starts with a keyword; logs go to standard error.
 */
public final class SoftHsmServerMain {
  /** Keys copied from the quickstart keystore into the token. */
  static final List<String> IMPORTED = List.of("root", "device-id-ca", "edge-ca-ca");

  /** Keys generated inside the token: never in software, never extractable. */
  static final List<String> GENERATED = List.of("idevid-ca", "tls");

  static final String TOKEN_CA_SUBJECT = "CN=Estuary SoftHSM idevid CA,O=Estuary";

  private SoftHsmServerMain() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "setup" ->
          setup(Path.of(args[1]), args[2], Long.parseLong(args[3]), args[4].toCharArray());
      case "serve" -> serve(Path.of(args[1]));
      default -> throw new IllegalArgumentException("mode: setup or serve, not " + args[0]);
    }
  }

  private static void setup(Path dir, String library, long slotId, char[] pin) throws Exception {
    // The slot ID is the one softhsm2-util reported (SunPKCS11 cannot select a token by label;
    // the server's token_label lookup is the code under test, so setup does not rely on it).
    // Keys this provider generates are private, sensitive and not extractable (the SoftHSM
    // defaults would be extractable): the way an operator would create CA keys in an HSM.
    String conf =
        """
        --name=estuary-setup
        library=%s
        slot=%d
        attributes(generate, CKO_PRIVATE_KEY, *) = {
          CKA_PRIVATE = true
          CKA_SENSITIVE = true
          CKA_EXTRACTABLE = false
        }
        """
            .formatted(library, slotId);
    Provider p11 = Security.getProvider("SunPKCS11").configure(conf);
    Security.addProvider(p11);
    KeyStore token = KeyStore.getInstance("PKCS11", p11);
    token.load(null, pin);

    char[] pass = Files.readString(dir.resolve("keys/keystore.pass")).strip().toCharArray();
    KeyStore p12 = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("keys/ca-keys.p12"))) {
      p12.load(in, pass);
    }
    for (String alias : IMPORTED) {
      token.setKeyEntry(alias, p12.getKey(alias, pass), pin, p12.getCertificateChain(alias));
    }

    IssuingCa root = CaKeys.of(p12, pass).issuingCa("root");
    Serials serials = new Serials(new SecureRandom());
    Instant now = Instant.now();
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC", p11);
    gen.initialize(new ECGenParameterSpec("secp256r1"));

    KeyPair caKey = gen.generateKeyPair();
    requireNotExtractable("idevid-ca (as generated)", caKey.getPrivate());
    Duration caValidity = Duration.ofDays(3650);
    X509Certificate caCert =
        root.sign(
            new IssueOrder(
                new X500Name(TOKEN_CA_SUBJECT),
                null,
                SubjectPublicKeyInfo.getInstance(caKey.getPublic().getEncoded()),
                CertificateProfile.authority(0, caValidity),
                serials.next(),
                now.minus(IssuingCa.BACKDATE),
                now.plus(caValidity)));
    token.setKeyEntry(
        "idevid-ca", caKey.getPrivate(), pin, new Certificate[] {caCert, root.certificate()});

    KeyPair tlsKey = gen.generateKeyPair();
    requireNotExtractable("tls (as generated)", tlsKey.getPrivate());
    Duration tlsValidity = Duration.ofDays(825);
    X509Certificate tlsCert =
        root.sign(
            new IssueOrder(
                new X500Name("CN=localhost,O=Estuary SoftHSM"),
                new GeneralNames(
                    new GeneralName[] {
                      new GeneralName(GeneralName.dNSName, "localhost"),
                      new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                      new GeneralName(GeneralName.iPAddress, "::1")
                    }),
                SubjectPublicKeyInfo.getInstance(tlsKey.getPublic().getEncoded()),
                CertificateProfile.tlsServer(tlsValidity),
                serials.next(),
                now.minus(IssuingCa.BACKDATE),
                now.plus(tlsValidity)));
    token.setKeyEntry(
        "tls", tlsKey.getPrivate(), pin, new Certificate[] {tlsCert, root.certificate()});

    // Read everything back through a fresh load: what the token now holds as token objects.
    KeyStore reread = KeyStore.getInstance("PKCS11", p11);
    reread.load(null, pin);
    List<String> aliases = new ArrayList<>(Collections.list(reread.aliases()));
    Collections.sort(aliases);
    System.out.println("ALIASES " + String.join(",", aliases));
    for (String alias : aliases) {
      if (!reread.isKeyEntry(alias)) {
        continue;
      }
      Certificate[] chain = reread.getCertificateChain(alias);
      PrivateKey key = (PrivateKey) reread.getKey(alias, pin);
      System.out.println(
          "TOKEN " + alias + " " + Base64.getEncoder().encodeToString(chain[0].getEncoded()));
      System.out.println("CHAIN " + alias + " " + chain.length);
      System.out.println("EXTRACTABLE " + alias + " " + (key.getEncoded() != null));
    }
    System.out.println("SETUP OK");
    System.out.flush();
  }

  private static void requireNotExtractable(String what, PrivateKey key) {
    if (key.getEncoded() != null) {
      throw new IllegalStateException(
          what + ": the token let its private key out (getEncoded() != null)");
    }
  }

  private static void serve(Path dir) throws Exception {
    ServerConfig cfg = ServerConfigParser.parse(dir.resolve("server.toml")).withPorts(0, 0);
    EstuaryServer server = EstuaryServer.start(cfg, Clock.systemUTC());
    try {
      System.out.println("EST_PORT " + server.estPort());
      System.out.flush();
      // Serve until the parent closes our stdin (or dies).
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // nothing to read: the parent only ever closes it
      }
    } finally {
      server.close();
    }
    System.exit(0);
  }
}
