package dev.estuary.server.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.device.AdditionalData;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientSubstatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceClientException;
import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceHubException;
import com.microsoft.azure.sdk.iot.provisioning.security.hsm.SecurityProviderX509Cert;
import dev.estuary.server.quickstart.Quickstart;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.EstEnrollment.Enrolled;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 4, point 1: the Azure IoT provisioning device client for Java (provisioning-device-client
 * 2.1.3 with x509-provider, over HTTPS, api-version 2019-03-31), given a certificate from the
 * device-id label and the quickstart root as its trust anchor, registers against Estuary and gets
 * the assigned hub and device id. The SDK polls its operation after Retry-After, and at least 2 s.
 */
@Timeout(120)
class AzureProvisioningDeviceClientTest {
  /** registerDeviceSync's own bound, in seconds. */
  private static final int SDK_TIMEOUT_S = 60;

  static QuickstartServer server;
  static X509Certificate root;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server = QuickstartServer.shared();
    root = server.root();
  }

  /**
   * The SDK's X.509 security provider, trusting the quickstart root: the SDK takes its TLS trust
   * from the SSLContext its provider returns (the stock one trusts the JVM's default CAs only).
   */
  static SecurityProviderX509Cert provider(Enrolled device) {
    return new SecurityProviderX509Cert(
        device.leaf(),
        device.key().getPrivate(),
        device.chain().subList(1, device.chain().size())) {
      @Override
      public SSLContext getSSLContext() {
        return TestPki.tls(root, device.chain(), device.key().getPrivate());
      }
    };
  }

  static ProvisioningDeviceClientRegistrationResult register(Enrolled device, String payload)
      throws Exception {
    String endpoint = "localhost:" + server.estPort(); // the SDK prepends https://
    ProvisioningDeviceClient client =
        ProvisioningDeviceClient.create(
            endpoint,
            server.info().get("id_scope").asText(),
            ProvisioningDeviceClientTransportProtocol.HTTPS,
            provider(device));
    try {
      AdditionalData data = new AdditionalData();
      data.setProvisioningPayload(payload);
      return client.registerDeviceSync(data, SDK_TIMEOUT_S);
    } finally {
      client.close();
    }
  }

  @Test
  void theSdkRegistersAndGetsTheHubAndDeviceId() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "sdk-device");

    ProvisioningDeviceClientRegistrationResult result =
        register(device, "{\"modelId\":\"dtmi:estuary:edge;1\"}");

    assertThat(result.getProvisioningDeviceClientStatus())
        .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
    assertThat(result.getIothubUri()).isEqualTo(Quickstart.HUB);
    assertThat(result.getDeviceId()).isEqualTo("sdk-device");
    assertThat(result.getRegistrationId()).isEqualTo("sdk-device");
    assertThat(result.getStatus()).isEqualTo("assigned");
    assertThat(result.getSubstatus())
        .isEqualTo(ProvisioningDeviceClientSubstatus.INITIAL_ASSIGNMENT);
    assertThat(server.server().registrations().find("sdk-device"))
        .get()
        .extracting(r -> r.assignedHub())
        .isEqualTo(Quickstart.HUB);
  }

  @Test
  void afterARenewalTheSdkRegistersAgainToTheSameHub() throws Exception {
    Enrolled first = EstEnrollment.deviceId(server, "sdk-renewer");
    ProvisioningDeviceClientRegistrationResult before = register(first, null);
    Enrolled renewed = EstEnrollment.deviceId(server, first, "sdk-renewer");

    ProvisioningDeviceClientRegistrationResult after = register(renewed, null);

    assertThat(after.getIothubUri()).isEqualTo(before.getIothubUri());
    assertThat(after.getDeviceId()).isEqualTo("sdk-renewer");
    assertThat(after.getCreatedDateTimeUtc()).isEqualTo(before.getCreatedDateTimeUtc());
    // The SDK asks with api-version 2019-03-31, before DPS said reprovisionedToInitialAssignment.
    assertThat(after.getSubstatus())
        .isEqualTo(ProvisioningDeviceClientSubstatus.INITIAL_ASSIGNMENT);
  }

  @Test
  void theSdkReportsARefusalWithItsCode() throws Exception {
    Enrolled device = EstEnrollment.deviceId(server, "sdk-revoked");
    server
        .server()
        .certificates()
        .revoke(device.leaf().getSerialNumber(), "keyCompromise", Instant.now());

    // The SDK wraps the HTTP refusal (its status and our JSON body) in "Failed to register".
    assertThatThrownBy(() -> register(device, null))
        .isInstanceOf(ProvisioningDeviceClientException.class)
        .hasRootCauseInstanceOf(ProvisioningDeviceHubException.class)
        .rootCause()
        .hasMessageContaining("401 : ")
        .hasMessageContaining("\"errorCode\":401002")
        .hasMessageContaining("was revoked");
  }
}
