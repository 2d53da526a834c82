package dev.estuary.agent.store;

import dev.estuary.agent.renewal.CredentialFiles;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's keys and certificates together: keys in {@link DeviceKeys} (files or a token),
 * certificates in {@link CertificateFiles}, both by credential id. This is the storage port the
 * renewal engine's {@link dev.estuary.agent.renewal.KeyRotation} works on.
 */
public final class CredentialStore implements CredentialFiles<List<X509Certificate>> {
  private final DeviceKeys keys;
  private final CertificateFiles certificates;

  public CredentialStore(DeviceKeys keys, CertificateFiles certificates) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.certificates = Objects.requireNonNull(certificates, "certificates");
  }

  public DeviceKeys keys() {
    return keys;
  }

  public CertificateFiles certificates() {
    return certificates;
  }

  @Override
  public void generateKey(String keyId) throws IOException {
    keys.generate(keyId);
  }

  @Override
  public void writeCertificate(String certId, List<X509Certificate> chain) throws IOException {
    certificates.write(certId, chain);
  }

  @Override
  public void replaceKey(String fromKeyId, String toKeyId) throws IOException {
    keys.move(fromKeyId, toKeyId);
  }

  @Override
  public void deleteKey(String keyId) throws IOException {
    keys.delete(keyId);
  }

  @Override
  public boolean keyExists(String keyId) throws IOException {
    return keys.exists(keyId);
  }

  @Override
  public boolean certificateMatchesKey(String certId, String keyId) throws IOException {
    Optional<List<X509Certificate>> chain = certificates.read(certId);
    if (chain.isEmpty()) {
      return false;
    }
    Optional<KeyHandle> key = keys.load(keyId);
    return key.isPresent() && certifies(chain.get().get(0), key.get());
  }

  /** Whether {@code cert} certifies the public half of {@code key}. */
  public static boolean certifies(X509Certificate cert, KeyHandle key) {
    return Arrays.equals(cert.getPublicKey().getEncoded(), key.publicKey().getEncoded());
  }
}
