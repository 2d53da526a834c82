package dev.estuary.agent.check;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.DeviceIdentity;
import dev.estuary.agent.config.EstAuth;
import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.config.X509Credential;
import dev.estuary.agent.credential.Identities;
import dev.estuary.agent.store.ConfiguredKeys;
import dev.estuary.agent.store.CredentialStore;
import dev.estuary.agent.store.KeyHandle;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the configured certificate and key files hold: each certificate file must be PEM
 * certificates, each key file a private key the agent can read, and the two must belong together
 * (the certificate is for that key). The parser checks that the files exist and are private; this
 * reads them, as the daemon would at its first renewal, so that {@code estuary agent config apply}
 * reports a broken identity instead of the daemon retrying it every minute. Keys in a PKCS#11 token
 * are not opened here (that needs the PIN and the token).
 */
public final class CredentialContents {
  private CredentialContents() {}

  /** One line per broken credential, naming its file: empty when every one is sound. */
  public static List<String> problems(AgentConfig config) {
    Set<X509Credential> credentials = new LinkedHashSet<>();
    add(config.est().auth(), credentials);
    for (EstCertificate c : config.estCertificates()) {
      add(c.auth(), credentials);
    }
    config
        .provisioning()
        .deviceIdentity()
        .filter(i -> i instanceof DeviceIdentity.Preloaded)
        .ifPresent(i -> credentials.add(((DeviceIdentity.Preloaded) i).credential()));
    List<String> problems = new ArrayList<>();
    ConfiguredKeys keys = new ConfiguredKeys(Optional.empty());
    for (X509Credential c : credentials) {
      if (c.keyInToken()) {
        continue;
      }
      problem(c, keys).ifPresent(problems::add);
    }
    return problems;
  }

  private static void add(EstAuth auth, Set<X509Credential> into) {
    auth.identity().ifPresent(into::add);
    auth.bootstrapIdentity().ifPresent(into::add);
  }

  private static Optional<String> problem(X509Credential c, ConfiguredKeys keys) {
    X509Certificate cert;
    try {
      cert = Identities.readChain(c).get(0);
    } catch (IOException | RuntimeException e) {
      return Optional.of(
          file(c.cert())
              + ": not a PEM certificate ("
              + reason(e).replace(file(c.cert()) + ": ", "")
              + ")");
    }
    KeyHandle key;
    try {
      key = keys.open(c.key());
    } catch (IOException | RuntimeException e) {
      return Optional.of(
          file(c.key())
              + ": not a private key the agent can read ("
              + reason(e).replace(file(c.key()) + ": ", "")
              + "); it must be a PEM private key (PKCS#8, or a traditional EC or RSA key)");
    }
    if (!CredentialStore.certifies(cert, key)) {
      return Optional.of(
          file(c.cert())
              + ": is not the certificate of the key "
              + file(c.key())
              + " (their public keys differ); configure the certificate issued for that key");
    }
    return Optional.empty();
  }

  private static String file(URI uri) {
    return Path.of(uri).toString();
  }

  private static String reason(Exception e) {
    String m = e.getMessage();
    for (Throwable t = e.getCause(); (m == null || m.isBlank()) && t != null; t = t.getCause()) {
      m = t.getMessage();
    }
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip();
  }
}
