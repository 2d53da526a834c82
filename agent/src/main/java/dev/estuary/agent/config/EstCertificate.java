package dev.estuary.agent.config;

import java.net.URI;
import java.util.Objects;

/**
 * A certificate the agent obtains over EST and keeps renewed, everything resolved: its URL (the
 * certificate's own {@code url}, else {@code cert_issuance.est.urls.<id>}, else {@code
 * urls.default}) and its credentials (its own auth keys, else {@code cert_issuance.est.auth}).
 *
 * @param id the certificate id: {@link #DEVICE_ID} or {@link #EDGE_CA}
 * @param commonName the subject CN to request: {@code common_name}, else the registration id or
 *     device id for the device identity, {@value #DEFAULT_EDGE_CA_COMMON_NAME} for the Edge CA
 * @param url the EST base URL, e.g. {@code https://est.example/.well-known/est/device-id/}
 * @param urlFrom the key path the URL was taken from, for reports
 * @param auth the credentials for this certificate's requests
 * @param authFrom the key path of the auth table used, for reports
 * @param autoRenew when to renew and whether to rotate the key
 */
public record EstCertificate(
    String id,
    String commonName,
    URI url,
    String urlFrom,
    EstAuth auth,
    String authFrom,
    RenewalSettings autoRenew) {

  /** The EST identity, obtained with the bootstrap identity and used for later requests. */
  public static final String EST_ID = "est-id";

  /** The device identity (LDevID) that authenticates the device to the provisioning service. */
  public static final String DEVICE_ID = "device-id";

  /** The Edge CA, which issues certificates to the device's modules. */
  public static final String EDGE_CA = "aziot-edged-ca";

  /** The Edge CA's CN when {@code common_name} is not set, as in IoT Edge. */
  public static final String DEFAULT_EDGE_CA_COMMON_NAME = "aziot-edge CA";

  public EstCertificate {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(commonName, "commonName");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(urlFrom, "urlFrom");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(authFrom, "authFrom");
    Objects.requireNonNull(autoRenew, "autoRenew");
  }
}
