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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identities EST requests authenticate with, as the configuration's auth tables say:
 *
 * <ul>
 *   <li>{@code identity_cert}/{@code identity_pk}: that certificate, for every request;
 *   <li>{@code bootstrap_identity_cert}/{@code bootstrap_identity_pk}: the EST identity {@code
 *       est-id} while it is valid, else (none yet, or expired while the device was off) the
 *       bootstrap identity;
 *   <li>{@code username}/{@code password}: Basic, added to either, or alone.
 * </ul>
 *
 * Files are read at each request, so a replaced IDevID is picked up without a restart.
 */
public final class Identities {
  private static final Logger log = LoggerFactory.getLogger(Identities.class);
  private final KeyUris keyUris;

  public Identities(KeyUris keyUris) {
    this.keyUris = Objects.requireNonNull(keyUris, "keyUris");
  }

  /**
   * The source for requests made with {@code auth}.
   *
   * @param estId the EST identity credential, when {@code auth} has a bootstrap identity
   */
  public IdentitySource sourceFor(EstAuth auth, Supplier<Optional<EstCredential.Pair>> estId) {
    Optional<BasicAuth> basic = auth.basic();
    if (auth.identity().isPresent()) {
      X509Credential id = auth.identity().get();
      return now -> configured(id, basic, "identity certificate " + id.cert());
    }
    if (auth.bootstrapIdentity().isPresent()) {
      X509Credential bootstrap = auth.bootstrapIdentity().get();
      return now -> {
        Optional<EstCredential.Pair> pair = estId.get();
        if (pair.isPresent() && pair.get().info().isValidAt(now)) {
          return new EstIdentity(pair.get().chain(), pair.get().key().privateKey(), basic, "est-id");
        }
        if (pair.isPresent()) {
          log.info(
              "est-id is not valid now (valid {} to {}); authenticating with the bootstrap identity {}",
              pair.get().info().notBefore(),
              pair.get().info().notAfter(),
              bootstrap.cert());
        }
        return configured(bootstrap, basic, "bootstrap identity " + bootstrap.cert());
      };
    }
    EstIdentity fixed = EstIdentity.basicOnly(basic);
    return now -> fixed;
  }

  /** A certificate and key from the configuration, checked to belong together. */
  public EstIdentity configured(X509Credential credential, Optional<BasicAuth> basic, String name) throws IOException {
    List<X509Certificate> chain = readChain(credential);
    KeyHandle key = keyUris.open(credential.key());
    if (!CredentialStore.certifies(chain.get(0), key)) {
      throw new IOException(credential.cert() + " is not the certificate of the key it is configured with");
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
