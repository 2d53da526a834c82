package dev.estuary.agent.store;

import dev.estuary.pkcs11.TokenInfo;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Serials;
import java.io.IOException;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.login.LoginException;

/**
 * One token, logged in through a SunPKCS11 provider instance of its own, seen through the
 * provider's keystore: keys are found by the label of the certificate object stored next to them
 * (SunPKCS11 lists a private key only when a certificate object shares its {@code CKA_ID}).
 *
 * <p>Keys generated here are token objects, private, sensitive and not extractable (the provider's
 * {@code attributes(generate, …)} settings); their public halves are session objects. Each is
 * stored with a self-signed placeholder certificate labelled like the key, which is what makes it
 * findable after a restart. The provider is registered with the JCA while the token is open, so
 * that JSSE's delayed provider selection finds it for TLS client authentication.
 */
final class Pkcs11Token implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final Duration PLACEHOLDER_VALIDITY = Duration.ofDays(100 * 365);

  private final TokenInfo info;
  private final Provider provider;
  private final KeyStore keyStore;
  private final SecureRandom random;

  private Pkcs11Token(TokenInfo info, Provider provider, KeyStore keyStore, SecureRandom random) {
    this.info = info;
    this.provider = provider;
    this.keyStore = keyStore;
    this.random = random;
  }

  /**
   * Loads a provider for the token's slot and logs in.
   *
   * @throws IOException naming the token: wrong PIN, locked PIN, or a module that fails
   */
  static Pkcs11Token open(Path library, TokenInfo info, char[] pin) throws IOException {
    String conf =
        "--name=estuary-agent-"
            + INSTANCES.incrementAndGet()
            + "\n"
            + "library="
            + library
            + "\n"
            + "slot="
            + info.slotId()
            + "\n"
            + "attributes(generate, CKO_PRIVATE_KEY, *) = {\n"
            + "  CKA_TOKEN = true\n  CKA_PRIVATE = true\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n"
            + "attributes(generate, CKO_PUBLIC_KEY, *) = {\n  CKA_TOKEN = false\n}\n";
    Provider provider;
    try {
      provider = Security.getProvider("SunPKCS11").configure(conf);
    } catch (RuntimeException e) {
      throw new IOException(
          "cannot use token '" + info.label() + "' in " + library + ": " + e.getMessage(), e);
    }
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
      keyStore.load(null, pin);
      Security.addProvider(provider);
      return new Pkcs11Token(info, provider, keyStore, new SecureRandom());
    } catch (IOException e) {
      throw new IOException(loginProblem(info, e), e);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read token '" + info.label() + "': " + e.getMessage(), e);
    }
  }

  private static String loginProblem(TokenInfo info, IOException e) {
    if (e.getCause() instanceof UnrecoverableKeyException) {
      return "wrong PIN for token '" + info.label() + "'";
    }
    Throwable cause =
        e.getCause() instanceof LoginException l && l.getCause() != null
            ? l.getCause()
            : e.getCause();
    String reason = cause == null ? e.getMessage() : cause.getMessage();
    if (reason != null && reason.contains("CKR_PIN_LOCKED")) {
      return "the PIN of token '" + info.label() + "' is locked";
    }
    return "cannot log in to token '" + info.label() + "': " + reason;
  }

  /**
   * Generates a key pair of {@code keyType} ({@code ec-p256}, {@code ec-p384}, {@code rsa-2048}…)
   * inside the token and stores it under {@code label}.
   */
  synchronized KeyHandle generate(String label, String keyType) throws IOException {
    try {
      KeyPair pair = generator(keyType).generateKeyPair();
      X509Certificate placeholder =
          IssuingCa.selfSigned(
              label,
              pair.getPublic(),
              pair.getPrivate(),
              provider,
              PLACEHOLDER_VALIDITY,
              Instant.now(),
              new Serials(random));
      keyStore.setKeyEntry(label, pair.getPrivate(), null, new Certificate[] {placeholder});
      return new KeyHandle(pair.getPrivate(), placeholder.getPublicKey(), provider);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IOException(
          "cannot generate a "
              + keyType
              + " key in token '"
              + info.label()
              + "': "
              + e.getMessage(),
          e);
    }
  }

  private KeyPairGenerator generator(String keyType) throws GeneralSecurityException {
    String type = keyType.toLowerCase(Locale.ROOT);
    if (type.matches("ec-p(256|384|521)")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
      g.initialize(new ECGenParameterSpec("secp" + type.substring(4) + "r1"), random);
      return g;
    }
    if (type.matches("rsa-\\d{4}")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", provider);
      g.initialize(Integer.parseInt(type.substring(4)), random);
      return g;
    }
    throw new IllegalArgumentException(
        "key type '"
            + keyType
            + "' cannot be generated in a token (use ec-p256, ec-p384 or rsa-<bits>)");
  }

  /** The key stored under {@code label}, with the public key of its certificate object. */
  synchronized Optional<KeyHandle> find(String label) throws IOException {
    try {
      if (!keyStore.isKeyEntry(label)) {
        keyStore.load(null, null); // another process may have changed the token: read it again
      }
      if (!keyStore.isKeyEntry(label)) {
        return Optional.empty();
      }
      PrivateKey key = (PrivateKey) keyStore.getKey(label, null);
      Certificate cert = keyStore.getCertificate(label);
      return Optional.of(new KeyHandle(key, cert.getPublicKey(), provider));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IOException(
          "cannot read key '" + label + "' in token '" + info.label() + "': " + e.getMessage(), e);
    }
  }

  /** Destroys the key stored under {@code label} and its certificate object, if there is one. */
  synchronized void destroy(String label) throws IOException {
    try {
      if (keyStore.isKeyEntry(label)) {
        keyStore.deleteEntry(label);
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IOException(
          "cannot delete key '" + label + "' in token '" + info.label() + "': " + e.getMessage(),
          e);
    }
  }

  /** The labels of the key entries the token holds, sorted. */
  synchronized List<String> labels() throws IOException {
    try {
      List<String> labels = new ArrayList<>();
      for (String alias : Collections.list(keyStore.aliases())) {
        if (keyStore.isKeyEntry(alias)) {
          labels.add(alias);
        }
      }
      Collections.sort(labels);
      return labels;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "cannot list the keys in token '" + info.label() + "': " + e.getMessage(), e);
    }
  }

  /** Logs out and unregisters the provider. */
  @Override
  public synchronized void close() {
    Security.removeProvider(provider.getName());
    try {
      ((AuthProvider) provider).logout();
    } catch (LoginException e) {
      // the session is gone with the provider either way
    }
  }

  @Override
  public String toString() {
    return "token '" + info.label() + "' (slot " + info.slotId() + ")";
  }
}
