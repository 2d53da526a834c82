package dev.estuary.server.install;

import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Serials;
import dev.estuary.server.ca.CaHierarchy;
import dev.estuary.server.ca.CaKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * CA keys that stay in a PKCS#11 token, for {@code server init --pkcs11-library}: each key entry (a
 * private key with its certificate, found by its label) is checked like an imported CA file, and
 * proven to belong to its certificate by signing a random challenge inside the token and verifying
 * it with the certificate's public key. No private key is ever read out of the token; the TLS key
 * is generated inside it (sensitive, not extractable).
 */
final class TokenCas {
  /** A key label server.toml can hold in a quoted string as it is. */
  private static final Pattern LABEL = Pattern.compile("[^\"\\\\\\p{Cntrl}]{1,64}");

  private final Provider provider;
  private final KeyStore store;
  private final char[] pin;
  private final String where;

  private TokenCas(Provider provider, KeyStore store, char[] pin, String where) {
    this.provider = provider;
    this.store = store;
    this.pin = pin;
    this.where = where;
  }

  /**
   * Logs in to the token {@code token} names.
   *
   * @throws IllegalArgumentException naming what cannot be used (module, token, PIN)
   */
  static TokenCas open(ServerInit.Token token) throws IOException {
    if (!Files.isReadable(token.library())) {
      throw new IllegalArgumentException(
          "--pkcs11-library: cannot read the PKCS#11 module " + token.library());
    }
    if (!Files.isReadable(token.pinFile())) {
      throw new IllegalArgumentException("--pkcs11-pin-file: cannot read " + token.pinFile());
    }
    if ((token.tokenLabel() == null) == (token.slot() < 0)) {
      throw new IllegalArgumentException(
          "give the token either by --pkcs11-token-label or by --pkcs11-slot (one of them)");
    }
    if (token.tokenLabel() != null && !LABEL.matcher(token.tokenLabel()).matches()) {
      throw new IllegalArgumentException(
          "--pkcs11-token-label: 1-64 characters without quotes, backslashes or control characters");
    }
    if (token.library().toString().matches(".*[\"\\\\\\p{Cntrl}].*")) {
      throw new IllegalArgumentException(
          "--pkcs11-library: a path without quotes, backslashes or control characters");
    }
    String where =
        token.tokenLabel() != null
            ? "the token '" + token.tokenLabel() + "'"
            : "the token in slot " + token.slot();
    char[] pin = Files.readString(token.pinFile()).strip().toCharArray();
    StringBuilder conf =
        new StringBuilder("--name=estuary-init\nlibrary=").append(token.library()).append('\n');
    try {
      if (token.tokenLabel() != null) {
        conf.append("slot=")
            .append(CaKeys.slotOfToken(token.library().toString(), token.tokenLabel()))
            .append('\n');
      } else {
        conf.append("slotListIndex=").append(token.slot()).append('\n');
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("--pkcs11-token-label: " + e.getMessage(), e);
    }
    // Keys this provider generates (the TLS key) are private, sensitive and not extractable.
    conf.append(
        """
        attributes(generate, CKO_PRIVATE_KEY, *) = {
          CKA_PRIVATE = true
          CKA_SENSITIVE = true
          CKA_EXTRACTABLE = false
        }
        """);
    try {
      Provider p = Security.getProvider("SunPKCS11").configure(conf.toString());
      KeyStore ks = KeyStore.getInstance("PKCS11", p);
      ks.load(null, pin);
      return new TokenCas(p, ks, pin, where);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot log in to " + where + " of " + token.library() + ": " + rootMessage(e), e);
    }
  }

  /** The key entries' labels, sorted, for messages. */
  List<String> labels() throws GeneralSecurityException {
    List<String> out = new ArrayList<>();
    for (String a : Collections.list(store.aliases())) {
      if (store.isKeyEntry(a)) {
        out.add(a);
      }
    }
    Collections.sort(out);
    return out;
  }

  /**
   * The CA whose key is labelled {@code label} on the token, checked: a CA certificate as its label
   * needs, a chain on the token up to a self-signed root, and a key that signs for it.
   *
   * @param name the CA's role ({@code idevid}, ..., {@code tls}), for messages
   */
  IssuingCa ca(String name, String label, int minPathLen, SecureRandom random) {
    String what = "--token-ca " + name + "=" + label;
    if (!LABEL.matcher(label).matches()) {
      throw new IllegalArgumentException(
          what
              + ": a key label of 1-64 characters without quotes, backslashes or control characters");
    }
    try {
      Certificate[] stored = store.isKeyEntry(label) ? store.getCertificateChain(label) : null;
      if (stored == null || stored.length == 0) {
        throw new IllegalArgumentException(
            what
                + ": "
                + where
                + " has no private key with a certificate labelled '"
                + label
                + "' (it has: "
                + String.join(", ", labels())
                + ")");
      }
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : stored) {
        chain.add((X509Certificate) c);
      }
      CaImport.checkCa(what + " (its chain on the token)", chain, label, minPathLen);
      Key key = store.getKey(label, pin);
      if (!(key instanceof PrivateKey privateKey)) {
        throw new IllegalArgumentException(what + ": no private key labelled '" + label + "'");
      }
      proveKey(what, privateKey, chain.getFirst(), random);
      return new IssuingCa(label, chain, privateKey, provider);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(what + ": " + rootMessage(e), e);
    }
  }

  /**
   * Signs a random challenge with {@code key} inside the token and verifies it with the
   * certificate's public key outside it: the key belongs to the certificate.
   */
  private void proveKey(String what, PrivateKey key, X509Certificate cert, SecureRandom random)
      throws GeneralSecurityException {
    byte[] challenge = new byte[32];
    random.nextBytes(challenge);
    String algorithm = IssuingCa.signatureAlgorithm(cert.getPublicKey());
    Signature signer = Signature.getInstance(algorithm, provider);
    signer.initSign(key);
    signer.update(challenge);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(cert.getPublicKey());
    verifier.update(challenge);
    if (!verifier.verify(signature)) {
      throw new IllegalArgumentException(
          what
              + ": the key on the token does not belong to its certificate ("
              + cert.getSubjectX500Principal()
              + "): a challenge it signed does not verify with the certificate's public key");
    }
  }

  /**
   * A new EC P-256 TLS key generated inside the token (not extractable), its certificate for {@code
   * names} signed by {@code tlsCa}, stored on the token under {@code alias}.
   *
   * @return the chain as the token now holds it, the TLS certificate first
   */
  List<X509Certificate> newTlsKey(
      String alias,
      IssuingCa tlsCa,
      String commonName,
      GeneralNames names,
      Duration validity,
      Instant now,
      Serials serials)
      throws GeneralSecurityException {
    if (store.containsAlias(alias)) {
      throw new IllegalArgumentException(
          where + " already holds an entry '" + alias + "': the TLS key gets a new label");
    }
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC", provider);
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair key = gen.generateKeyPair();
    if (key.getPrivate().getEncoded() != null) {
      throw new IllegalStateException(
          where + " generated an extractable TLS key; the token ignored CKA_EXTRACTABLE = false");
    }
    List<X509Certificate> chain =
        CaHierarchy.tlsCertificate(tlsCa, key, commonName, names, validity, now, serials);
    store.setKeyEntry(alias, key.getPrivate(), pin, chain.toArray(Certificate[]::new));
    Certificate[] stored = store.getCertificateChain(alias);
    if (stored == null || !stored[0].equals(chain.getFirst())) {
      throw new IllegalStateException(where + " did not keep the TLS key entry '" + alias + "'");
    }
    return chain;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
