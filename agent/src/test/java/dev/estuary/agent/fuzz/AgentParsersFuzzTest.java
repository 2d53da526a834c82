package dev.estuary.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.estuary.agent.json.JsonException;
import dev.estuary.agent.json.JsonObject;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.PkiException;

/**
 * Fuzz targets (issue 10) for what the agent reads from the network and from its files: an EST
 * answer (base64 certs-only PKCS#7, decoded as EstClient does) and its own JSON (agent.json, DPS
 * answers) through {@link JsonObject#parse(byte[])}. Anything but the parser's own exception is a
 * finding. Inputs: {@code
 * src/test/resources/dev/estuary/agent/fuzz/AgentParsersFuzzTestInputs/<method>/}.
 */
class AgentParsersFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void pkcs7(byte[] body) {
    try {
      CertsOnlyPkcs7.decode(EstBase64.decode(body)).forEach(c -> assertThat(c).isNotNull());
    } catch (PkiException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @FuzzTest(maxDuration = "30s")
  void json(byte[] utf8) {
    try {
      assertThat(JsonObject.parse(utf8)).isNotNull();
    } catch (JsonException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
