package dev.estuary.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import dev.estuary.server.revocation.OcspResponder;
import dev.estuary.server.revocation.OcspService;
import dev.estuary.server.revocation.PublishedCa;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.ocsp.OCSPResp;

/**
 * Fuzz target (issue 12): an OCSP request as anonymous callers send it to {@code /pki/ocsp}. The
 * parser either reads one to {@link OcspResponder#MAX_CERT_IDS} certificate ids or refuses with a
 * reason; the responder always answers a well-formed OCSPResponse (an error status for what it does
 * not read). Anything thrown is a finding. Inputs: {@code OcspRequestFuzzTestInputs/request/}
 * (requests made by {@code openssl ocsp -reqout}: with and without a nonce, three serials, SHA-256
 * ids; an indefinite length, a truncated request).
 */
class OcspRequestFuzzTest {
  private static final PublishedCa CA = ca();
  private static final OcspResponder RESPONDER =
      new OcspResponder(
          Map.of(CA.id(), CA),
          OcspService.caSigners(Map.of(CA.id(), CA)),
          (ca, serial) -> new OcspResponder.Unknown(),
          Clock.systemUTC(),
          Duration.ofHours(1));

  private static PublishedCa ca() {
    SecureRandom random = new SecureRandom();
    return PublishedCa.of(
        IssuingCa.createRoot(
            "fuzz",
            new X500Name("CN=FuzzCA"),
            KeyPairs.generate("ec-p256", random),
            Duration.ofDays(2),
            Instant.now(),
            new Serials(random)));
  }

  @FuzzTest(maxDuration = "30s")
  void request(byte[] der) throws Exception {
    try {
      OcspResponder.Parsed parsed = OcspResponder.parse(der);
      assertThat(parsed.ids()).isNotEmpty().hasSizeLessThanOrEqualTo(OcspResponder.MAX_CERT_IDS);
    } catch (OcspResponder.Malformed m) {
      assertThat(m.getMessage()).isNotBlank();
    }
    OCSPResp answer = new OCSPResp(RESPONDER.respond(der).der());
    assertThat(answer.getStatus()).isBetween(0, 6);
  }
}
