package dev.estuary.agent.credential;

import dev.estuary.agent.config.BasicAuth;
import dev.estuary.agent.config.EstAuth;
import dev.estuary.agent.config.X509Credential;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.store.CredentialStore;
import dev.estuary.agent.store.KeyHandle;
import dev.estuary.agent.store.KeyUris;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.Thumbprints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identities EST requests authenticate with, as the configuration's auth tables say:
 *
 * <ul>
 *   <li>{@code identity_cert}/{@code identity_pk}: that certificate, for every request;
 *   <li>{@code bootstrap_identity_cert}/{@code bootstrap_identity_pk}: the EST identity {@code
 *       est-id} while it is valid (on disk, matching its key, chaining to the trust anchors) and no
 *       server has refused it (401/403), else (none yet, expired while the device was off, refused)
 *       the bootstrap identity;
 *   <li>{@code username}/{@code password}: Basic, added to either, or alone.
 * </ul>
 *
 * Files are read at each request, so a replaced IDevID is picked up without a restart.
 */
public final class Identities {
  private static final Logger log = LoggerFactory.getLogger(Identities.class);

  /** The name of the EST identity in requests and logs. */
  static final String EST_ID = "est-id";

  private final KeyUris keyUris;

  /** Fingerprints of EST identities a server refused (401/403): not presented again. */
  private final Set<String> refused = ConcurrentHashMap.newKeySet();

  public Identities(KeyUris keyUris) {
    this.keyUris = Objects.requireNonNull(keyUris, "keyUris");
  }

  /**
   * The source for requests made with {@code auth}.
   *
   * @param estId the EST identity credential, when {@code auth} has a bootstrap identity
   */
  public IdentitySource sourceFor(EstAuth auth, Supplier<Optional<EstCredential.Pair>> estId) {
    return sourceFor(auth, estId, () -> {});
  }

  /**
   * As above; {@code estIdRefused} runs when a server refuses the EST identity for another
   * credential's request (the agent makes {@code est-id} due then, to replace it through the
   * bootstrap identity).
   */
  public IdentitySource sourceFor(
      EstAuth auth, Supplier<Optional<EstCredential.Pair>> estId, Runnable estIdRefused) {
    Optional<BasicAuth> basic = auth.basic();
    if (auth.identity().isPresent()) {
      X509Credential id = auth.identity().get();
      return now -> configured(id, basic, "identity certificate " + id.cert());
    }
    if (auth.bootstrapIdentity().isPresent()) {
      X509Credential bootstrap = auth.bootstrapIdentity().get();
      String bootstrapName = "bootstrap identity " + bootstrap.cert();
      return new IdentitySource() {
        @Override
        public EstIdentity identityAt(Instant now) throws IOException {
          Optional<EstCredential.Pair> pair = estId.get();
          if (pair.isPresent()
              && pair.get().info().isValidAt(now)
              && !refused.contains(fingerprint(pair.get()))) {
            return new EstIdentity(
                pair.get().chain(), pair.get().key().privateKey(), basic, EST_ID);
          }
          if (pair.isPresent() && !pair.get().info().isValidAt(now)) {
            log.info(
                "est-id is not valid now (valid {} to {}); authenticating with the bootstrap identity {}",
                pair.get().info().notBefore(),
                pair.get().info().notAfter(),
                bootstrap.cert());
          }
          return configured(bootstrap, basic, bootstrapName);
        }

        @Override
        public Optional<EstIdentity> afterRefusal(EstIdentity who, String credentialId, Instant now)
            throws IOException {
          if (!EST_ID.equals(who.name()) || !who.hasCertificate()) {
            return Optional.empty();
          }
          refused.add(Thumbprints.sha256(who.chain().get(0)));
          log.warn(
              "est-id (serial {}) was refused by the server for {}; authenticating with the bootstrap identity {} instead",
              who.chain().get(0).getSerialNumber().toString(16),
              credentialId,
              bootstrap.cert());
          if (!EST_ID.equals(credentialId)) {
            estIdRefused.run();
          }
          return Optional.of(configured(bootstrap, basic, bootstrapName));
        }
      };
    }
    EstIdentity fixed = EstIdentity.basicOnly(basic);
    return now -> fixed;
  }

  private static String fingerprint(EstCredential.Pair pair) {
    return Thumbprints.sha256(pair.leaf());
  }

  /** A certificate and key from the configuration, checked to belong together. */
  public EstIdentity configured(X509Credential credential, Optional<BasicAuth> basic, String name)
      throws IOException {
    List<X509Certificate> chain = readChain(credential);
    KeyHandle key = keyUris.open(credential.key());
    if (!CredentialStore.certifies(chain.get(0), key)) {
      throw new IOException(
          credential.cert() + " is not the certificate of the key it is configured with");
    }
    return new EstIdentity(chain, key.privateKey(), basic, name);
  }

  /** The certificate chain a configured credential names. */
  public static List<X509Certificate> readChain(X509Credential credential) throws IOException {
    Path file = Path.of(credential.cert());
    try {
      return Pem.certificates(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (PkiException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }
}
