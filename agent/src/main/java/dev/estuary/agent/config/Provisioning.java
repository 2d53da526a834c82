package dev.estuary.agent.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/** The {@code [provisioning]} table: how the device is registered, and with which identity. */
public sealed interface Provisioning {

  /** The device identity certificate, when the device has one the agent knows of. */
  Optional<DeviceIdentity> deviceIdentity();

  /**
   * {@code source = "dps"} with X.509 attestation: the agent registers with a DPS-compatible
   * provisioning service using the device identity certificate.
   *
   * @param globalEndpoint the provisioning service's https URL
   * @param idScope the ID scope of the provisioning service
   * @param registrationId the registration id; the device identity's CN equals it
   * @param identity the device identity certificate
   */
  record Dps(URI globalEndpoint, String idScope, String registrationId, DeviceIdentity identity)
      implements Provisioning {
    public Dps {
      Objects.requireNonNull(globalEndpoint, "globalEndpoint");
      Objects.requireNonNull(idScope, "idScope");
      Objects.requireNonNull(registrationId, "registrationId");
      Objects.requireNonNull(identity, "identity");
    }

    @Override
    public Optional<DeviceIdentity> deviceIdentity() {
      return Optional.of(identity);
    }
  }

  /**
   * {@code source = "manual"} with X.509 authentication: the device is registered in the hub by
   * hand; the agent only keeps its identity certificate.
   *
   * @param iothubHostname the hub's host name
   * @param deviceId the device id in the hub
   * @param identity the device identity certificate
   */
  record Manual(String iothubHostname, String deviceId, DeviceIdentity identity)
      implements Provisioning {
    public Manual {
      Objects.requireNonNull(iothubHostname, "iothubHostname");
      Objects.requireNonNull(deviceId, "deviceId");
      Objects.requireNonNull(identity, "identity");
    }

    @Override
    public Optional<DeviceIdentity> deviceIdentity() {
      return Optional.of(identity);
    }
  }

  /**
   * No device identity for the agent: {@code source = "none"}, or manual provisioning with a
   * connection string or a shared access key (which the agent does not use).
   *
   * @param source the {@code source} the file gave ({@code "none"} or {@code "manual"})
   */
  record None(String source) implements Provisioning {
    public None {
      Objects.requireNonNull(source, "source");
    }

    @Override
    public Optional<DeviceIdentity> deviceIdentity() {
      return Optional.empty();
    }
  }
}
