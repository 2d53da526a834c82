package dev.estuary.agent.store;

import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.Thumbprints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Certificates in a certd-like directory: one PEM file per id, leaf first, {@code
 * <dir>/<alnum(id)>-<sha256hex(id)>.cer}, mode 0644, written atomically.
 */
public final class CertificateFiles {
  static final String CERT_MODE = "rw-r--r--";

  /** The directory's mode: anyone may read certificates, only the agent write them. */
  public static final String DIR_MODE = "rwxr-xr-x";

  private final Path dir;

  /**
   * @param dir the certificate directory; created by the first {@link #write} (mode 0755), so
   *     readers such as {@code estuary agent check} leave the disk as they found it
   */
  public CertificateFiles(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /** The file holding the certificate under {@code id}. */
  public Path path(String id) {
    return path(dir, id);
  }

  /**
   * The file that holds, or would hold, the certificate under {@code id} in directory {@code dir}.
   */
  public static Path path(Path dir, String id) {
    return dir.resolve(StoredNames.of(id) + ".cer");
  }

  /** The chain under {@code id}, leaf first; empty if there is no file. */
  public Optional<List<X509Certificate>> read(String id) throws IOException {
    Optional<byte[]> bytes = bytes(id);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Pem.certificates(new String(bytes.get(), StandardCharsets.US_ASCII)));
    } catch (PkiException e) {
      throw new IOException(path(id) + " holds no readable certificate: " + e.getMessage(), e);
    }
  }

  /** The SHA-256 (hex) of the file under {@code id}, to notice a change made by hand. */
  public Optional<String> fingerprint(String id) throws IOException {
    return bytes(id).map(Thumbprints::sha256);
  }

  /** The SHA-256 (hex) the file would have if {@code chain} were written. */
  public static String fingerprintOf(List<X509Certificate> chain) {
    return Thumbprints.sha256(encode(chain));
  }

  /** Writes {@code chain} under {@code id} atomically. */
  public void write(String id, List<X509Certificate> chain) throws IOException {
    AtomicFiles.write(path(id), encode(chain), CERT_MODE);
  }

  private Optional<byte[]> bytes(String id) throws IOException {
    Path file = path(id);
    return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
  }

  private static byte[] encode(List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no certificate to write");
    }
    return Pem.encode(chain).getBytes(StandardCharsets.US_ASCII);
  }
}
