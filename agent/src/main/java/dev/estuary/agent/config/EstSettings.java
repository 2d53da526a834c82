package dev.estuary.agent.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [cert_issuance.est]} table: what applies to every certificate issued over EST.
 *
 * @param trustedCerts {@code file:///} URIs of the roots the EST server's TLS certificate must
 *     chain to ({@code trusted_certs})
 * @param auth the default credentials ({@code [cert_issuance.est.auth]}); a certificate's own auth
 *     keys replace them for that certificate
 * @param identityAutoRenew renewal of the EST identity {@code est-id} ({@code identity_auto_renew})
 * @param urls EST URLs by certificate id, {@code "default"} included, as written ({@code
 *     [cert_issuance.est.urls]})
 */
public record EstSettings(
    List<URI> trustedCerts,
    EstAuth auth,
    RenewalSettings identityAutoRenew,
    Map<String, URI> urls) {

  /** The key of the fallback URL in {@code [cert_issuance.est.urls]}. */
  public static final String DEFAULT_URL_KEY = "default";

  public EstSettings {
    trustedCerts = List.copyOf(trustedCerts);
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(identityAutoRenew, "identityAutoRenew");
    urls = Map.copyOf(urls);
  }

  /**
   * Where the EST identity is requested: {@code urls.est-id} when set; otherwise the agent asks at
   * the URL of the certificate the identity first authenticates.
   */
  public Optional<URI> estIdentityUrl() {
    return Optional.ofNullable(urls.get(EstCertificate.EST_ID));
  }
}
