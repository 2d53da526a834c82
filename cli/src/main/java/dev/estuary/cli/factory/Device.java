package dev.estuary.cli.factory;

import dev.estuary.agent.store.KeyHandle;
import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.ChainValidator;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.Thumbprints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * One device's directory: {@code IDevID.key.pem} (0600; or {@code IDevID.key.uri} naming its key in
 * a PKCS#11 token), {@code IDevID.cert.pem}, {@code ca-chain.pem} (the issuing CAs between the
 * certificate and the root) and {@code root-ca.pem}. Written key first and certificate last, each
 * atomically: a device whose certificate file exists was completely written, and a device without
 * one is redone.
 */
final class Device {
  static final String KEY = "IDevID.key.pem";
  static final String KEY_URI = "IDevID.key.uri";
  static final String CERT = "IDevID.cert.pem";
  static final String CHAIN = "ca-chain.pem";
  static final String ROOT = "root-ca.pem";

  private Device() {}

  /**
   * The manifest row of a device already made in {@code dir}: its key matches its certificate and
   * the certificate verifies under {@code root} through {@code chain}.
   *
   * @throws PkiException naming what is wrong with a device found half-made or broken
   */
  static Manifest.Row check(
      String id,
      Path dir,
      IdevidKeys keys,
      X509Certificate root,
      List<X509Certificate> chain,
      Instant now)
      throws PkiException, IOException {
    Path certFile = dir.resolve(CERT);
    PublicKey key = keys.existing(id, dir);
    X509Certificate cert =
        Pem.certificates(Files.readString(certFile, StandardCharsets.US_ASCII)).get(0);
    if (!Arrays.equals(key.getEncoded(), cert.getPublicKey().getEncoded())) {
      throw new PkiException(keys.file() + " is not the key of " + CERT);
    }
    String cn = cert.getSubjectX500Principal().getName();
    if (!cn.equals("CN=" + id)) {
      throw new PkiException(CERT + " is for '" + cn + "', not CN=" + id);
    }
    List<X509Certificate> path = new ArrayList<>();
    path.add(cert);
    Path chainFile = dir.resolve(CHAIN);
    if (Files.exists(chainFile)) {
      path.addAll(Pem.certificates(Files.readString(chainFile, StandardCharsets.US_ASCII)));
    }
    path.addAll(chain);
    new ChainValidator(List.of(root)).validate(path, now);
    return rowOf(id, cert);
  }

  /** Writes a device's files, the certificate last, and returns its manifest row. */
  static Manifest.Row write(
      String id,
      Path dir,
      IdevidKeys keys,
      KeyHandle key,
      X509Certificate cert,
      List<X509Certificate> chain,
      X509Certificate root)
      throws IOException {
    Files.createDirectories(dir);
    keys.write(id, dir, key);
    AtomicFiles.write(dir.resolve(ROOT), ascii(Pem.encode(root)), "rw-r--r--");
    AtomicFiles.write(
        dir.resolve(CHAIN), ascii(chain.isEmpty() ? "" : Pem.encode(chain)), "rw-r--r--");
    AtomicFiles.write(dir.resolve(CERT), ascii(Pem.encode(cert)), "rw-r--r--");
    return rowOf(id, cert);
  }

  /**
   * Removes what a half-made device left: its certificate first, then the rest, and the temporary
   * files of a write that was cut short.
   */
  static void clear(Path dir) throws IOException {
    for (String f : List.of(CERT, KEY, KEY_URI, CHAIN, ROOT)) {
      AtomicFiles.delete(dir.resolve(f));
    }
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          String name = f.getFileName().toString();
          if (name.startsWith(".") && name.endsWith(".tmp")) {
            AtomicFiles.delete(f);
          }
        }
      }
    }
  }

  static Manifest.Row rowOf(String id, X509Certificate cert) {
    return new Manifest.Row(
        id,
        cert.getSerialNumber().toString(16),
        Thumbprints.sha256(cert),
        cert.getNotAfter().toInstant().toString());
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
