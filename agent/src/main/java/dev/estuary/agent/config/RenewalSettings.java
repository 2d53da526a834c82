package dev.estuary.agent.config;

import java.util.Objects;

/**
 * An {@code auto_renew} (or {@code identity_auto_renew}) table after validation, defaults filled
 * in. The strings are kept in their configuration form; the renewal engine turns them into times.
 *
 * @param threshold when to renew: {@code "N%"} of the lifetime (0 &lt; N &lt; 100), or {@code
 *     "Nmin"} / {@code "Nday"} before expiry (N &ge; 1)
 * @param retry how long to wait after a failed attempt, in the same forms
 * @param rotateKey whether each renewal makes a new key pair
 */
public record RenewalSettings(String threshold, String retry, boolean rotateKey) {

  /**
   * {@code rotate_key = true, threshold = "80%", retry = "4%"}, as in the Azure identity service.
   */
  public static final RenewalSettings DEFAULT = new RenewalSettings("80%", "4%", true);

  public RenewalSettings {
    Objects.requireNonNull(threshold, "threshold");
    Objects.requireNonNull(retry, "retry");
  }
}
