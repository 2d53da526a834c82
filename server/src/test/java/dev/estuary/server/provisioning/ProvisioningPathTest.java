package dev.estuary.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.server.provisioning.ProvisioningPath.Kind;
import org.junit.jupiter.api.Test;

/** The device API's route table (Jetty path specs) and what it refuses. */
class ProvisioningPathTest {
  @Test
  void eachOperationIsFoundWithItsParameters() throws Exception {
    assertThat(ProvisioningPath.parse("/0ne00EST01/registrations/dev-1/register"))
        .isEqualTo(new ProvisioningPath("0ne00EST01", "dev-1", Kind.REGISTER, null));
    assertThat(ProvisioningPath.parse("/0ne00EST01/registrations/dev-1/operations/4.abc"))
        .isEqualTo(new ProvisioningPath("0ne00EST01", "dev-1", Kind.OPERATION, "4.abc"));
    assertThat(ProvisioningPath.parse("/0ne00EST01/registrations/dev-1"))
        .isEqualTo(new ProvisioningPath("0ne00EST01", "dev-1", Kind.STATUS, null));
  }

  @Test
  void pathsOutsideTheDeviceApiAreNotClaimed() throws Exception {
    assertThat(ProvisioningPath.parse("/.well-known/est/cacerts")).isNull();
    assertThat(ProvisioningPath.parse("//registrations/x/register")).isNull();
    assertThat(ProvisioningPath.parse("/")).isNull();
  }

  @Test
  void pathsUnderRegistrationsThatNameNoOperationAreRefusedAsBefore() {
    for (String path :
        new String[] {
          "/s/registrations",
          "/s/registrations/x/",
          "/s/registrations/x/operations/",
          "/s/registrations/x/register/more",
          "/s/registrations/x/unknown"
        }) {
      assertThatThrownBy(() -> ProvisioningPath.parse(path))
          .as(path)
          .isInstanceOfSatisfying(
              ProvisioningRefusal.class,
              r -> assertThat(r.error()).isEqualTo(ErrorCode.INVALID_REQUEST))
          .hasMessageStartingWith("'" + path + "' is not a device API path");
    }
    assertThatThrownBy(() -> ProvisioningPath.parse("/s/registrations/"))
        .hasMessage(
            "registration id '' is not 1-64 characters of letters, digits, '-', '.', '_' and ':'");
    assertThatThrownBy(() -> ProvisioningPath.parse("/s/registrations/a%0Ab/register"))
        .hasMessageContaining("registration id 'a%0Ab' is not 1-64 characters");
  }
}
