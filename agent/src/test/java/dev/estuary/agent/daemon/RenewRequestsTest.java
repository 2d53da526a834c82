package dev.estuary.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code renew --now} requests as files in the state directory: left, taken once. */
class RenewRequestsTest {
  @TempDir Path stateDir;

  @Test
  void takesEveryRequestOnce() throws Exception {
    RenewRequests.submit(stateDir, "device-id");
    RenewRequests.submit(stateDir, "aziot-edged-ca");
    RenewRequests.submit(stateDir, "device-id");

    assertThat(RenewRequests.take(stateDir))
        .containsExactlyInAnyOrder("device-id", "aziot-edged-ca");
    assertThat(RenewRequests.take(stateDir)).isEmpty();
    assertThat(stateDir.resolve(RenewRequests.DIR)).isEmptyDirectory();
  }

  @Test
  void thereAreNoRequestsBeforeTheFirst() throws Exception {
    assertThat(RenewRequests.take(stateDir)).isEmpty();
  }
}
