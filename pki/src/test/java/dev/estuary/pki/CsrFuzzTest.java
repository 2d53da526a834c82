package dev.estuary.pki;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (issue 10): CSR decoding as the server does it, base64 or PEM (EstBase64) and raw
 * DER, into {@link Csr#parse(byte[], KeyPolicy)}. Anything but a {@link PkiException} with a reason
 * is a finding. Regression inputs: {@code
 * src/test/resources/dev/estuary/pki/CsrFuzzTestInputs/csr/}.
 */
class CsrFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void csr(byte[] data) {
    try {
      Csr csr = Csr.parse(EstBase64.decode(data), KeyPolicy.DEFAULT);
      assertThat(csr.key()).isNotNull();
      csr.commonName();
    } catch (PkiException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
    try {
      Csr.parse(data, KeyPolicy.DEFAULT).commonName();
    } catch (PkiException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
