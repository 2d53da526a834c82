package dev.estuary.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.estuary.pki.KeyPolicy;
import dev.estuary.pki.SignatureEngine;
import dev.estuary.server.provisioning.ErrorCode;
import dev.estuary.server.provisioning.ProvisioningRefusal;
import dev.estuary.server.provisioning.RegistrationRequest;

/**
 * Fuzz target (issue 10): the DPS registration body, as the device API reads it (strict JSON, then
 * the CSR checked against the key policy before its signature). Anything but a 400004 refusal with
 * a message is a finding. Inputs: {@code RegistrationRequestFuzzTestInputs/registration/}.
 */
class RegistrationRequestFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void registration(byte[] body) {
    try {
      RegistrationRequest request = RegistrationRequest.parse(body, "device-1");
      if (request.hasCsr()) {
        assertThat(
                request
                    .csr(KeyPolicy.DEFAULT, SignatureEngine.BOUNCY_CASTLE, "device-1")
                    .commonName())
            .isEqualTo("device-1");
      }
    } catch (ProvisioningRefusal r) {
      assertThat(r.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(r.getMessage()).isNotBlank();
    }
  }
}
