package dev.estuary.cli;

import dev.estuary.server.ca.CaKeys;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.Base64;
import java.util.Collections;

/**
 * The child JVM of {@link FactoryPkcs11IT} that looks into the token, run with {@code
 * SOFTHSM2_CONF} naming the test's token directory (a running JVM cannot set its own environment):
 * {@code LIBRARY TOKEN_LABEL PIN}. For each key entry it prints {@code KEY <label> <what SunPKCS11
 * says of the key: token object, sensitive, extractable> <encoded: true|false>} and {@code SIG
 * <label> <base64 SHA256withECDSA or SHA256withRSA signature over "factory-<label>">}, signed
 * inside the token, for the test to verify with the certificate's public key.
 */
public final class TokenKeyReport {
  private TokenKeyReport() {}

  public static void main(String[] args) throws Exception {
    String conf =
        "--name=estuary-token-report\nlibrary=%s\nslot=%d\n"
            .formatted(args[0], CaKeys.slotOfToken(args[0], args[1]));
    Provider p11 = Security.getProvider("SunPKCS11").configure(conf);
    KeyStore token = KeyStore.getInstance("PKCS11", p11);
    token.load(null, args[2].toCharArray());
    for (String label : Collections.list(token.aliases())) {
      if (!token.isKeyEntry(label)) {
        continue;
      }
      PrivateKey key = (PrivateKey) token.getKey(label, null);
      // SunPKCS11's P11Key.toString(): "... token object, sensitive, unextractable)"
      System.out.println(
          "KEY "
              + label
              + " "
              + key.toString().replace(' ', '_')
              + " "
              + (key.getEncoded() != null));
      String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
      Signature s = Signature.getInstance(algorithm, p11);
      s.initSign(key);
      s.update(("factory-" + label).getBytes(StandardCharsets.UTF_8));
      System.out.println("SIG " + label + " " + Base64.getEncoder().encodeToString(s.sign()));
    }
    System.out.println("REPORT OK");
  }
}
