package dev.estuary.pki;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;

/**
 * RFC 7030 §4.1.3 root key update, as a device decides it: which roots of a {@code cacerts} answer
 * it may add to the roots it trusts. A root is added only when it is a self-signed CA certificate
 * valid now and the same answer holds a link certificate (NewWithOld: the new root's subject and
 * key, CA:TRUE, valid now) whose signature verifies with the key of a root the device already
 * trusts. So only the holder of a trusted root's key can introduce a new root; anything else is
 * refused with a reason. No I/O.
 */
public final class RootLinks {
  private RootLinks() {}

  /**
   * What {@link #newRoots} decided.
   *
   * @param added the roots to trust from now on (not already trusted)
   * @param refused one sentence per self-issued certificate of the answer that is not added
   */
  public record Decision(List<X509Certificate> added, List<String> refused) {
    public Decision {
      added = List.copyOf(added);
      refused = List.copyOf(refused);
    }
  }

  /**
   * @param trusted the roots (anchors) trusted now
   * @param caCerts a {@code cacerts} answer
   * @param now the device's time
   */
  public static Decision newRoots(
      Collection<X509Certificate> trusted, List<X509Certificate> caCerts, Instant now) {
    List<X509Certificate> added = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (X509Certificate candidate : caCerts) {
      if (!candidate.getSubjectX500Principal().equals(candidate.getIssuerX500Principal())
          || contains(trusted, candidate)
          || contains(added, candidate)) {
        continue; // an issuing CA, a link, or a root already trusted: nothing to decide
      }
      String name = "'" + candidate.getSubjectX500Principal().getName() + "'";
      if (candidate.getBasicConstraints() < 0) {
        refused.add("root " + name + " is not a CA certificate");
      } else if (!verifies(candidate, candidate)) {
        refused.add("root " + name + " is not self-signed (its signature does not verify)");
      } else if (!validAt(candidate, now)) {
        refused.add("root " + name + " is not valid now");
      } else if (linkFor(candidate, trusted, caCerts, now) == null) {
        refused.add(
            "root "
                + name
                + " comes with no link certificate (NewWithOld) that verifies under a root"
                + " this device trusts");
      } else {
        added.add(candidate);
      }
    }
    return new Decision(added, refused);
  }

  /**
   * The link certificate of {@code newRoot} in {@code caCerts} signed by one of {@code trusted}, or
   * null.
   */
  public static X509Certificate linkFor(
      X509Certificate newRoot,
      Collection<X509Certificate> trusted,
      List<X509Certificate> caCerts,
      Instant now) {
    for (X509Certificate link : caCerts) {
      if (!link.getSubjectX500Principal().equals(newRoot.getSubjectX500Principal())
          || link.getSubjectX500Principal().equals(link.getIssuerX500Principal())
          || !link.getPublicKey().equals(newRoot.getPublicKey())
          || link.getBasicConstraints() < 0
          || !validAt(link, now)) {
        continue;
      }
      for (X509Certificate old : trusted) {
        if (old.getSubjectX500Principal().equals(link.getIssuerX500Principal())
            && verifies(link, old)) {
          return link;
        }
      }
    }
    return null;
  }

  /**
   * {@code certs} without the link certificates of the roots among them (a certificate that has the
   * subject and key of a self-signed certificate of the list, but another issuer): the chain a
   * device stores then leads to the root that issued it, not across a link to the other root.
   */
  public static List<X509Certificate> withoutLinks(List<X509Certificate> certs) {
    List<X509Certificate> out = new ArrayList<>();
    for (X509Certificate c : certs) {
      boolean link = false;
      if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
        for (X509Certificate root : certs) {
          if (root.getSubjectX500Principal().equals(root.getIssuerX500Principal())
              && root.getSubjectX500Principal().equals(c.getSubjectX500Principal())
              && root.getPublicKey().equals(c.getPublicKey())) {
            link = true;
            break;
          }
        }
      }
      if (!link) {
        out.add(c);
      }
    }
    return out;
  }

  private static boolean contains(Collection<X509Certificate> certs, X509Certificate c) {
    try {
      byte[] der = c.getEncoded();
      for (X509Certificate t : certs) {
        if (Arrays.equals(t.getEncoded(), der)) {
          return true;
        }
      }
      return false;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean verifies(X509Certificate cert, X509Certificate issuer) {
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static boolean validAt(X509Certificate cert, Instant now) {
    try {
      cert.checkValidity(Date.from(now));
      return true;
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      return false;
    }
  }
}
