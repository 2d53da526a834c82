package dev.estuary.server.auth;

import dev.estuary.server.store.CertificateRecord;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The stable identity a caller's names are bound to.
 *
 * <ul>
 *   <li>A certificate this server did not issue (an IDevID): {@code x509:} + SHA-256 of its issuer
 *       DN (DER) and its SubjectPublicKeyInfo (DER). Issuer + key, not issuer + serial: an IDevID
 *       the factory re-issues for the same key (new serial, new validity) is the same device; one
 *       with a new key is a new identity, and the operator releases the old binding.
 *   <li>A certificate this server issued to a certificate holder: the principal recorded when it
 *       was issued, so every renewal (new key, new serial) and every certificate obtained with it
 *       stays the IDevID's. A certificate this server issued against a bootstrap secret or a Basic
 *       user (an IDevID from the idevid label) is its own identity (issuer + key): a factory's
 *       secret is shared by many devices and must not make them one.
 *   <li>{@code secret:<id>} and {@code basic:<user>}: shared credentials, bound name by name only.
 * </ul>
 */
public final class Principals {
  public static final String CERTIFICATE_PREFIX = "x509:";

  private Principals() {}

  /** The principal of a verified leaf, given its record when this server issued it. */
  public static String of(X509Certificate leaf, CertificateRecord issuedHere) {
    if (issuedHere != null
        && issuedHere.principal() != null
        && issuedHere.principal().startsWith(CERTIFICATE_PREFIX)) {
      return issuedHere.principal();
    }
    return ofKey(leaf);
  }

  /** Issuer + public key, whoever issued it. */
  public static String ofKey(X509Certificate leaf) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(leaf.getIssuerX500Principal().getEncoded());
      d.update(leaf.getPublicKey().getEncoded());
      return CERTIFICATE_PREFIX + HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String ofSecret(String id) {
    return "secret:" + id;
  }

  public static String ofUser(String username) {
    return "basic:" + username;
  }
}
