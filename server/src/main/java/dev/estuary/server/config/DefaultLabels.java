package dev.estuary.server.config;

/**
 * The three EST labels of the Azure IoT Edge flow as server.toml writes them: {@code idevid} (the
 * factory's birth certificates), {@code device-id} (short-lived device identities) and {@code
 * edge-ca} (Edge CA certificates), each on its own issuing CA ({@code <label>-ca}). The quickstart
 * and {@code estuary server init} both write this block.
 */
public final class DefaultLabels {
  private DefaultLabels() {}

  /** The {@code [labels.*]} tables, each line ending with a newline. */
  public static final String TOML =
      """
      # The factory's birth certificates (IDevID): a bootstrap secret per line (estuary server
      # secret create --label idevid --uses N --expires 30d), or Basic users.
      [labels.idevid]
      ca = "idevid-ca"
      profile = "identity"
      validity = "3650d"
      auth = ["secret", "basic", "mtls"]   # mtls: re-enrollment with an IDevID this label issued
      csr_attributes = ["1.2.840.10045.4.3.2"]

      # Short-lived operating certificates (LDevID / device identity, EST identity).
      [labels.device-id]
      ca = "device-id-ca"
      profile = "identity"
      validity = "7d"
      auth = ["mtls"]
      trust = ["idevid-ca", "edge-ca-ca"]  # IDevIDs enroll; EST identities from edge-ca too; own certs renew
      bind_names = true                    # the first name an IDevID gets is its own, and only its

      # Edge CA certificates for Azure IoT Edge (CA:TRUE, pathlen 0).
      [labels.edge-ca]
      ca = "edge-ca-ca"
      profile = "edge-ca"
      validity = "30d"
      auth = ["mtls"]
      trust = ["idevid-ca", "device-id-ca"]
      bind_names = true
      """;
}
