package dev.estuary.agent.store;

import dev.estuary.agent.text.Printable;
import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.RootLinks;
import dev.estuary.pki.Thumbprints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The roots the agent trusts for its servers and for the certificates they issue: the configured
 * ones ({@code trusted_certs}, the system's when asked) and the roots it added itself through an
 * RFC 7030 §4.1.3 root key update ({@link RootLinks}): a new root that a NewWithOld link
 * certificate in {@code cacerts} vouches for under a root already trusted. The added roots are kept
 * in {@value #FILE} in the state directory, replaced atomically, so the device trusts the new root
 * after a restart, and after the server's switch to it, without a person touching it.
 */
public final class TrustStore {
  private static final Logger log = LoggerFactory.getLogger(TrustStore.class);

  /** The file in the state directory holding the roots the agent added (PEM). */
  public static final String FILE = "trusted-roots.pem";

  private final Path file;
  private final List<X509Certificate> configured;
  private volatile List<X509Certificate> added;
  private final Set<String> refusedBefore = new HashSet<>();

  private TrustStore(Path file, List<X509Certificate> configured, List<X509Certificate> added) {
    this.file = file;
    this.configured = List.copyOf(configured);
    this.added = List.copyOf(added);
  }

  /**
   * The configured roots and those the agent added before ({@value #FILE} in {@code stateDir}).
   *
   * @throws IOException when the file exists but cannot be read or parsed
   */
  public static TrustStore open(Path stateDir, List<X509Certificate> configured)
      throws IOException {
    Path file = stateDir.resolve(FILE);
    return new TrustStore(file, configured, read(file));
  }

  /** The roots added through root key updates, as {@value #FILE} holds them (empty: none). */
  public static List<X509Certificate> read(Path file) throws IOException {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    try {
      return Pem.certificates(pem);
    } catch (PkiException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Every root trusted now: configured first, then added. */
  public List<X509Certificate> all() {
    List<X509Certificate> out = new ArrayList<>(configured);
    out.addAll(added);
    return Collections.unmodifiableList(out);
  }

  /** The roots the agent added itself. */
  public List<X509Certificate> added() {
    return added;
  }

  /**
   * Adds the new roots of a {@code cacerts} answer that a link certificate vouches for ({@link
   * RootLinks#newRoots}); each refusal is one line in the log. Thread-safe.
   *
   * @return the roots added by this call
   */
  public synchronized List<X509Certificate> learn(List<X509Certificate> caCerts, Instant now)
      throws IOException {
    RootLinks.Decision d = RootLinks.newRoots(all(), caCerts, now);
    for (String refusal : d.refused()) {
      if (refusedBefore.add(refusal)) { // once per root and reason in a run, not at every renewal
        log.info("cacerts: not trusted: {}", Printable.of(refusal));
      }
    }
    if (d.added().isEmpty()) {
      return List.of();
    }
    List<X509Certificate> next = new ArrayList<>(added);
    next.addAll(d.added());
    AtomicFiles.write(
        file, Pem.encode(next.toArray()).getBytes(StandardCharsets.US_ASCII), "rw-------");
    added = List.copyOf(next);
    for (X509Certificate root : d.added()) {
      log.info(
          "cacerts: trusting the new root '{}' (sha256 {}) through its link certificate",
          Printable.of(root.getSubjectX500Principal().getName()),
          Thumbprints.sha256(root));
    }
    return d.added();
  }
}
