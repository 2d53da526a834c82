package dev.estuary.cli;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import dev.estuary.pki.Serials;
import dev.estuary.server.ca.CaKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The child JVM of {@link Pkcs11InitIT} that plays the operator's HSM set-up, run with {@code
 * SOFTHSM2_CONF} naming the test's token directory: {@code LIBRARY TOKEN_LABEL PIN OUT_DIR}.
 *
 * <p>A root CA in software (its certificate to {@code OUT_DIR/imported-root.pem}, its key
 * discarded: an offline root), and in the token, generated there (sensitive, not extractable), the
 * four CA keys {@code server init} imports, each stored with its certificate and the root's under
 * the labels of docs/operations.md. Plus {@code wrong-key}: a token key stored with the certificate
 * of another key, which init must refuse. Prints {@code SETUP OK}.
 */
public final class TokenCaSetup {
  /** The token labels of the CA keys, by the role init names them with. */
  static final Map<String, String> LABELS =
      Map.of(
          "idevid", "idevid-ca",
          "device-id", "device-id-ca",
          "edge-ca", "edge-ca-ca",
          "tls", "tls-ca");

  private TokenCaSetup() {}

  public static void main(String[] args) throws Exception {
    Path library = Path.of(args[0]);
    char[] pin = args[2].toCharArray();
    Path out = Path.of(args[3]);
    String conf =
        """
        --name=estuary-token-setup
        library=%s
        slot=%d
        attributes(generate, CKO_PRIVATE_KEY, *) = {
          CKA_PRIVATE = true
          CKA_SENSITIVE = true
          CKA_EXTRACTABLE = false
        }
        """
            .formatted(library, CaKeys.slotOfToken(library.toString(), args[1]));
    Provider p11 = Security.getProvider("SunPKCS11").configure(conf);
    KeyStore token = KeyStore.getInstance("PKCS11", p11);
    token.load(null, pin);

    SecureRandom random = new SecureRandom();
    Serials serials = new Serials(random);
    Instant now = Instant.now();
    IssuingCa root =
        IssuingCa.createRoot(
            "root",
            new X500Name("CN=Imported HSM Root,O=Token Test"),
            KeyPairs.generate("ec-p256", random),
            Duration.ofDays(7300),
            now,
            serials);
    Files.writeString(out.resolve("imported-root.pem"), Pem.encode(root.certificate()));

    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC", p11);
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    for (String role : new String[] {"idevid", "device-id", "edge-ca", "tls"}) {
      KeyPair key = gen.generateKeyPair();
      if (key.getPrivate().getEncoded() != null) {
        throw new IllegalStateException(role + ": the token generated an extractable key");
      }
      X509Certificate cert =
          ca(root, key, "Token " + role + " CA", role.equals("edge-ca") ? 1 : 0, now, serials);
      token.setKeyEntry(
          LABELS.get(role), key.getPrivate(), pin, new Certificate[] {cert, root.certificate()});
    }
    // A key whose stored certificate is another key's: only signing with it tells them apart.
    KeyPair wrong = gen.generateKeyPair();
    X509Certificate lookalike =
        ca(root, KeyPairs.generate("ec-p256", random), "Token wrong-key CA", 0, now, serials);
    token.setKeyEntry(
        "wrong-key", wrong.getPrivate(), pin, new Certificate[] {lookalike, root.certificate()});
    System.out.println("SETUP OK");
  }

  private static X509Certificate ca(
      IssuingCa root, KeyPair key, String cn, int pathLen, Instant now, Serials serials) {
    Duration validity = Duration.ofDays(3650);
    return root.sign(
        new IssueOrder(
            new X500Name("CN=" + cn + ",O=Token Test"),
            null,
            SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
            CertificateProfile.authority(pathLen, validity),
            serials.next(),
            now.minus(IssuingCa.BACKDATE),
            now.plus(validity)));
  }
}
