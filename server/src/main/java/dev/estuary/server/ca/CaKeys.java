package dev.estuary.server.ca;

import dev.estuary.pkcs11.TokenInfo;
import dev.estuary.pkcs11.TokenSlots;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.SignatureEngine;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.crypto.SignatureEngines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The server's private keys and their certificate chains, by alias: CA keys and the TLS key. Backed
 * by an encrypted PKCS#12 file or a PKCS#11 token (an HSM; SunPKCS11).
 */
public final class CaKeys {
  private final KeyStore store;
  private final char[] pin;
  private final Provider tokenProvider; // null for a software keystore
  private final SignatureEngine signatures;

  private CaKeys(KeyStore store, char[] pin, Provider tokenProvider, SignatureEngine signatures) {
    this.store = store;
    this.pin = pin;
    this.tokenProvider = tokenProvider;
    this.signatures = signatures;
  }

  /**
   * Who signs with the software CA keys and verifies CSR signatures ({@code [keys] signatures}): a
   * key on a token signs there whatever this says.
   */
  public SignatureEngine signatures() {
    return signatures;
  }

  public static CaKeys open(ServerConfig.KeySource cfg)
      throws IOException, GeneralSecurityException {
    char[] secret = Files.readString(cfg.passphraseFile()).strip().toCharArray();
    SignatureEngine signatures = SignatureEngines.of(cfg.signatures());
    if (cfg.onToken()) {
      StringBuilder conf =
          new StringBuilder("--name=estuary\nlibrary=").append(cfg.pkcs11Library()).append('\n');
      if (cfg.pkcs11Slot() >= 0) {
        conf.append("slotListIndex=").append(cfg.pkcs11Slot()).append('\n');
      } else {
        // SunPKCS11 has no token-label setting: find the slot ID that holds the labelled token.
        conf.append("slot=")
            .append(slotOfToken(cfg.pkcs11Library().toString(), cfg.pkcs11TokenLabel()))
            .append('\n');
      }
      Provider p = Security.getProvider("SunPKCS11").configure(conf.toString());
      Security.addProvider(p);
      KeyStore ks = KeyStore.getInstance("PKCS11", p);
      ks.load(null, secret);
      return new CaKeys(ks, secret, p, signatures);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(cfg.keystore())) {
      ks.load(in, secret);
    }
    return new CaKeys(ks, secret, null, signatures);
  }

  /** Wraps an already loaded software keystore (tests, quickstart); Bouncy Castle signs. */
  public static CaKeys of(KeyStore store, char[] passphrase) {
    return new CaKeys(store, passphrase, null, SignatureEngine.BOUNCY_CASTLE);
  }

  public List<String> aliases() throws GeneralSecurityException {
    return Collections.list(store.aliases()).stream().sorted().toList();
  }

  public boolean contains(String alias) throws GeneralSecurityException {
    return store.isKeyEntry(alias);
  }

  /** The chain stored with {@code alias}: its certificate first, up to the root. */
  public List<X509Certificate> chain(String alias) throws GeneralSecurityException {
    Certificate[] chain = store.getCertificateChain(alias);
    if (chain == null) {
      throw new GeneralSecurityException(
          "no key entry '"
              + alias
              + "' in the key source (it has: "
              + String.join(", ", aliases())
              + ")");
    }
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : chain) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  private PrivateKey privateKey(String alias) throws GeneralSecurityException {
    PrivateKey key = (PrivateKey) store.getKey(alias, pin);
    if (key == null) {
      throw new GeneralSecurityException("no private key '" + alias + "' in the key source");
    }
    return key;
  }

  /**
   * The CA {@code alias} names. A software key is held in the form {@link #signatures()} signs with
   * (converted once, here, not per signature); a token's key stays on its token.
   */
  public IssuingCa issuingCa(String alias) throws GeneralSecurityException {
    if (tokenProvider == null) {
      return signatures.issuingCa(alias, chain(alias), privateKey(alias));
    }
    return new IssuingCa(alias, chain(alias), privateKey(alias), tokenProvider);
  }

  /**
   * The generations of the CA {@code base} names ({@link CaGenerations}), oldest first; fails like
   * {@link #chain} when there is none.
   */
  public List<IssuingCa> generations(String base) throws GeneralSecurityException {
    List<IssuingCa> out = new ArrayList<>();
    for (String alias : CaGenerations.of(aliases(), base)) {
      if (store.isKeyEntry(alias)) {
        out.add(issuingCa(alias));
      }
    }
    if (out.isEmpty()) {
      chain(base); // throws, naming the entries there are
    }
    return out;
  }

  /** The certificates of {@code base}'s retired generations (keys removed), oldest first. */
  public List<X509Certificate> retired(String base) throws GeneralSecurityException {
    List<String> names = new ArrayList<>();
    for (String alias : aliases()) {
      if (alias.startsWith(CaGenerations.RETIRED_PREFIX)
          && store.isCertificateEntry(alias)
          && CaGenerations.base(alias.substring(CaGenerations.RETIRED_PREFIX.length()))
              .equals(base)) {
        names.add(alias);
      }
    }
    List<X509Certificate> out = new ArrayList<>();
    for (String alias : names) {
      out.add((X509Certificate) store.getCertificate(alias));
    }
    return out;
  }

  /**
   * The root key update certificates of a root rollover (certificate entries {@code root-link.*}),
   * by alias order; empty when no root was rolled.
   */
  public List<X509Certificate> rootLinks() throws GeneralSecurityException {
    List<X509Certificate> out = new ArrayList<>();
    for (String alias : aliases()) {
      if (alias.startsWith(CaGenerations.LINK_PREFIX) && store.isCertificateEntry(alias)) {
        out.add((X509Certificate) store.getCertificate(alias));
      }
    }
    return out;
  }

  /** A keystore holding just {@code alias}, for the TLS listener. */
  public KeyStore tlsKeyStore(String alias, char[] password)
      throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        alias,
        (PrivateKey) store.getKey(alias, pin),
        password,
        chain(alias).toArray(Certificate[]::new));
    return ks;
  }

  /** What the TLS listener serves: a keystore, the password its key manager needs, the alias. */
  public record TlsKeys(KeyStore keyStore, char[] password, String alias) {}

  /**
   * The TLS listener's key material. A software key is copied into a keystore of its own under
   * {@code softwarePassword}; a token's key cannot leave the token (it is sensitive), so the
   * token's own (logged-in) keystore is served, with its PIN, and the handshake signs inside the
   * token.
   */
  public TlsKeys tlsKeys(String alias, char[] softwarePassword)
      throws GeneralSecurityException, IOException {
    if (tokenProvider != null) {
      chain(alias); // fails with the aliases the token has when there is no such entry
      return new TlsKeys(store, pin, alias);
    }
    return new TlsKeys(tlsKeyStore(alias, softwarePassword), softwarePassword, alias);
  }

  /**
   * The slot ID of the token labelled {@code label} ({@link TokenSlots} probes the slots: SunPKCS11
   * has no token-label setting). Runs once at startup; the probes never log in.
   */
  public static long slotOfToken(String library, String label) throws GeneralSecurityException {
    List<TokenInfo> tokens = TokenSlots.list(Path.of(library));
    return tokens.stream()
        .filter(t -> t.label().equals(label))
        .findFirst()
        .map(TokenInfo::slotId)
        .orElseThrow(
            () ->
                new GeneralSecurityException(
                    "no PKCS#11 token labelled '"
                        + label
                        + "' in "
                        + library
                        + " (tokens: "
                        + TokenSlots.labels(tokens)
                        + ")"));
  }
}
