package dev.estuary.server.auth;

import dev.estuary.pki.Thumbprints;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * The failed-authentication bounds of a device endpoint, checked before a request is queued for the
 * store: one per client address and credential id (so devices behind one NAT do not lock each other
 * out), and one per address alone, ten times higher (against guessing over many ids). What counts
 * as a failure is the caller's decision: a wrong secret or password, or a client certificate that
 * does not lead to a trusted issuer; never a genuine credential refused for being used up, expired,
 * revoked or disabled.
 */
public final class AuthLimits {
  private final FailedAuthLimiter perCredential;
  private final FailedAuthLimiter perAddress;

  /**
   * @param perCredential the bound per address and credential id; the address-wide one is ten times
   *     it
   */
  public AuthLimits(FailedAuthLimiter perCredential) {
    this.perCredential = perCredential;
    this.perAddress = perCredential.times(10);
  }

  /** How long a request from {@code address} naming {@code credentialId} must wait, or zero. */
  public Duration waitFor(String address, String credentialId) {
    Duration wait = perCredential.waitFor(address + " " + credentialId);
    Duration addressWait = perAddress.waitFor(address);
    return addressWait.compareTo(wait) > 0 ? addressWait : wait;
  }

  public void failed(String address, String credentialId) {
    perCredential.failed(address + " " + credentialId);
    perAddress.failed(address);
  }

  /** A wait as the whole seconds of a Retry-After header (at least 1). */
  public static long retryAfterSeconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  /**
   * The credential id of a TLS client certificate: its SHA-256, shortened (a key for the limits,
   * not an identity), or {@code "none"} without one.
   */
  public static String certificateId(List<X509Certificate> chain) {
    return chain.isEmpty() ? "none" : "cert:" + Thumbprints.sha256(chain.get(0)).substring(0, 32);
  }
}
