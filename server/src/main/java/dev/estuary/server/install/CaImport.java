package dev.estuary.server.install;

import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * An existing CA certificate and its key, read for {@code server init --import-ca}: from a PEM file
 * (the CA certificate, the chain up to its root, and an unencrypted private key) or a PKCS#12 file
 * with one key entry. Checked before anything is written: the key belongs to the certificate, the
 * certificate is a CA that may sign what its label needs, and the chain goes up to a self-signed
 * root, each certificate signed by the next.
 */
final class CaImport {
  private CaImport() {}

  /**
   * @param minPathLen the path length the CA needs (1 for the Edge CA label, which issues CAs)
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  static IssuingCa load(String alias, Path file, char[] p12Passphrase, int minPathLen)
      throws IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--import-ca: cannot read " + file);
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    PrivateKey key;
    List<X509Certificate> chain;
    try {
      if (name.endsWith(".p12") || name.endsWith(".pfx")) {
        if (p12Passphrase == null) {
          throw new IllegalArgumentException(
              "--import-ca " + file + ": a PKCS#12 file needs --import-passphrase-file");
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
          ks.load(in, p12Passphrase);
        } catch (IOException e) {
          throw new IllegalArgumentException(
              "--import-ca "
                  + file
                  + ": cannot open the PKCS#12 file (wrong passphrase?): "
                  + e.getMessage(),
              e);
        }
        List<String> keys = new ArrayList<>();
        for (String a : Collections.list(ks.aliases())) {
          if (ks.isKeyEntry(a)) {
            keys.add(a);
          }
        }
        if (keys.size() != 1) {
          throw new IllegalArgumentException(
              "--import-ca "
                  + file
                  + ": the PKCS#12 file must hold exactly one key entry, it has "
                  + keys.size()
                  + " "
                  + keys);
        }
        key = (PrivateKey) ks.getKey(keys.getFirst(), p12Passphrase);
        chain =
            Arrays.stream(ks.getCertificateChain(keys.getFirst()))
                .map(c -> (X509Certificate) c)
                .toList();
      } else {
        String pem = Files.readString(file);
        if (pem.contains("ENCRYPTED PRIVATE KEY") || pem.contains("Proc-Type: 4,ENCRYPTED")) {
          throw new IllegalArgumentException(
              "--import-ca "
                  + file
                  + ": the private key is encrypted; give a PKCS#12 file instead (openssl pkcs12 -export)");
        }
        chain = Pem.certificates(pem);
        key = Pem.privateKey(pem);
      }
    } catch (GeneralSecurityException | PkiException e) {
      throw new IllegalArgumentException("--import-ca " + file + ": " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(
          "--import-ca "
              + file
              + ": no certificate in it (the CA certificate comes first, then its chain)");
    }
    X509Certificate ca = chain.getFirst();
    try {
      if (!Arrays.equals(KeyPairs.publicKeyOf(key).getEncoded(), ca.getPublicKey().getEncoded())) {
        throw new IllegalArgumentException(
            "--import-ca "
                + file
                + ": the private key does not belong to the first certificate ("
                + ca.getSubjectX500Principal()
                + ")");
      }
    } catch (PkiException e) {
      throw new IllegalArgumentException("--import-ca " + file + ": " + e.getMessage(), e);
    }
    checkCa("--import-ca " + file, chain, alias, minPathLen);
    return new IssuingCa(alias, chain, key, null);
  }

  /**
   * Checks that {@code chain} (the CA certificate first) is a CA that may sign what its label needs
   * and goes up to a self-signed root, each certificate signed by the next.
   *
   * @param what names the CA in a message ({@code --import-ca FILE}, {@code --token-ca NAME=LABEL})
   * @throws IllegalArgumentException naming what is wrong
   */
  static void checkCa(String what, List<X509Certificate> chain, String alias, int minPathLen) {
    X509Certificate ca = chain.getFirst();
    int pathLen = ca.getBasicConstraints();
    if (pathLen < minPathLen) {
      throw new IllegalArgumentException(
          what
              + ": "
              + ca.getSubjectX500Principal()
              + (pathLen < 0 ? " is not a CA certificate" : " has pathlen " + pathLen)
              + (minPathLen > 0
                  ? "; the "
                      + alias
                      + " issues CA certificates, so it needs pathlen "
                      + minPathLen
                      + " or more"
                  : ""));
    }
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      X509Certificate signer = i + 1 < chain.size() ? chain.get(i + 1) : c;
      if (i + 1 == chain.size()
          && !c.getIssuerX500Principal().equals(c.getSubjectX500Principal())) {
        throw new IllegalArgumentException(
            what
                + ": the chain ends at "
                + c.getSubjectX500Principal()
                + ", which is not a root; add the certificates up to the root");
      }
      try {
        c.verify(signer.getPublicKey());
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(
            what
                + ": "
                + c.getSubjectX500Principal()
                + " is not signed by the next certificate, "
                + signer.getSubjectX500Principal());
      }
    }
  }
}
