package dev.estuary.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * File names as the Azure identity service's keyd and certd make them: {@code
 * <alnum(id)>-<sha256hex(id)>}, so the agent's files are where aziot looks for them.
 */
class StoredNamesTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "est-id, estid-c45f3e96a312cc524fecceddbc40dfc2aa789eae911d8bc7dd4eda19b93be900",
    "device-id, deviceid-bd732105ef89cf8edd2606a5309c8a26b7b5599a4e124a0fe6199b6b2f60e655",
    "aziot-edged-ca, aziotedgedca-86f154be7ff14480027f0d00c59c223db6d9e4ab0b559fc523cca36a7c973d6d",
  })
  void namesTheAgentsCredentialsAsTheIdentityServiceDoes(String id, String golden)
      throws Exception {
    String independent =
        id.replaceAll("[^A-Za-z0-9]", "")
            + "-"
            + HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256")
                        .digest(id.getBytes(StandardCharsets.UTF_8)));

    assertThat(independent).isEqualTo(golden);
    assertThat(StoredNames.of(id)).isEqualTo(golden);
  }

  @Test
  void theDigestIsTheOneSha256sumPrintsForTheId() throws Exception {
    Process p =
        new ProcessBuilder("sh", "-c", "printf %s device-id | sha256sum")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

    assertThat(StoredNames.of("device-id")).isEqualTo("deviceid-" + out.split("\\s+")[0]);
  }

  @Test
  void keepsOnlyAsciiLettersAndDigitsBeforeTheDigest() {
    assertThat(StoredNames.of("a/b..c-é_9")).startsWith("abc9-").hasSize("abc9-".length() + 64);
    assertThat(StoredNames.of("a-b")).isNotEqualTo(StoredNames.of("ab")).startsWith("ab-");
  }

  @Test
  void refusesAnEmptyId() {
    assertThatThrownBy(() -> StoredNames.of("")).isInstanceOf(IllegalArgumentException.class);
  }
}
