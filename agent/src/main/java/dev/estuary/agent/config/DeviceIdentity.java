package dev.estuary.agent.config;

import java.util.Objects;

/** Where the device identity certificate ({@code device-id}) comes from. */
public sealed interface DeviceIdentity {

  /**
   * Obtained over EST and renewed by the agent ({@code identity_cert} is a table with {@code method
   * = "est"}).
   *
   * @param certificate the resolved request settings
   */
  record Issued(EstCertificate certificate) implements DeviceIdentity {
    public Issued {
      Objects.requireNonNull(certificate, "certificate");
    }
  }

  /**
   * Provided on disk and used as is ({@code identity_cert} and {@code identity_pk} are URIs); the
   * agent does not renew it.
   *
   * @param credential the certificate and key
   */
  record Preloaded(X509Credential credential) implements DeviceIdentity {
    public Preloaded {
      Objects.requireNonNull(credential, "credential");
    }
  }
}
