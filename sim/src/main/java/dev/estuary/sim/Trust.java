package dev.estuary.sim;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the simulator counts as a valid certificate: a chain from the leaf up to one of the server's
 * current roots (the self-signed certificates its {@code cacerts} serves; both during a root
 * rollover), every signature verifying, judged at real time by the notBefore and notAfter of every
 * certificate on the path. Path checks are cached per leaf until the roots change, so a sample of
 * the whole fleet costs a comparison of instants per device.
 */
final class Trust {
  /** The span in which a leaf's whole path is valid. */
  record Window(Instant from, Instant to) {
    boolean contains(Instant t) {
      return !t.isBefore(from) && !t.isAfter(to);
    }
  }

  private volatile List<X509Certificate> roots = List.of();
  private volatile List<X509Certificate> intermediates = List.of();
  private final Map<String, Optional<Window>> paths = new ConcurrentHashMap<>();

  /** Replaces the roots and the CA certificates paths may go through (from {@code cacerts}). */
  synchronized void update(List<X509Certificate> caCerts) {
    List<X509Certificate> r = new ArrayList<>();
    List<X509Certificate> i = new ArrayList<>();
    for (X509Certificate c : caCerts) {
      if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && signedBy(c, c)) {
        if (!r.contains(c)) {
          r.add(c);
        }
      } else if (!i.contains(c)) {
        i.add(c);
      }
    }
    roots = List.copyOf(r);
    intermediates = List.copyOf(i);
    paths.clear();
  }

  List<X509Certificate> roots() {
    return roots;
  }

  /**
   * The window in which {@code chain} (leaf first, whose SHA-256 is {@code leafSha256}) is valid
   * under a current root; empty: none.
   */
  Optional<Window> window(String leafSha256, List<X509Certificate> chain) {
    return paths.computeIfAbsent(leafSha256, k -> path(chain));
  }

  private Optional<Window> path(List<X509Certificate> chain) {
    List<X509Certificate> pool = new ArrayList<>(roots);
    pool.addAll(chain.subList(1, chain.size()));
    pool.addAll(intermediates);
    X509Certificate leaf = chain.getFirst();
    return walk(
        leaf, pool, new Window(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()), 0);
  }

  private Optional<Window> walk(
      X509Certificate cert, List<X509Certificate> pool, Window w, int depth) {
    if (roots.contains(cert)) {
      return Optional.of(w);
    }
    if (depth > 6) {
      return Optional.empty();
    }
    for (X509Certificate candidate : pool) {
      if (candidate.equals(cert)
          || !candidate.getSubjectX500Principal().equals(cert.getIssuerX500Principal())
          || !signedBy(cert, candidate)) {
        continue;
      }
      Instant from = max(w.from(), candidate.getNotBefore().toInstant());
      Instant to = min(w.to(), candidate.getNotAfter().toInstant());
      if (from.isAfter(to)) {
        continue;
      }
      Optional<Window> found = walk(candidate, pool, new Window(from, to), depth + 1);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
