package dev.estuary.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Pkcs11UriTest {

  @Test
  void readsPathAndQueryAttributes() {
    Pkcs11Uri uri =
        Pkcs11Uri.parse("pkcs11:token=Edge%20keys;object=device-id;type=private?pin-value=1234");

    assertThat(uri.attribute("token")).contains("Edge%20keys");
    assertThat(uri.decoded("token"))
        .hasValueSatisfying(
            b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("Edge keys"));
    assertThat(uri.attribute("pin-value")).contains("1234");
    assertThat(uri.namesObject()).isTrue();
    assertThat(uri.namesTokenOrSlot()).isTrue();
  }

  @Test
  void neverShowsThePin() {
    Pkcs11Uri uri =
        Pkcs11Uri.parse("pkcs11:token=edge;object=k?module-name=softhsm2&pin-value=1234");

    assertThat(uri.toString())
        .isEqualTo("pkcs11:token=edge;object=k?module-name=softhsm2&pin-value=<redacted>");
  }

  @Test
  void acceptsVendorAttributesAndAnEmptyPath() {
    assertThat(Pkcs11Uri.parse("pkcs11:x-vendor=1").attribute("x-vendor")).contains("1");
    assertThat(Pkcs11Uri.parse("pkcs11:").pathAttributes()).isEmpty();
  }

  @Test
  void rejectsWhatRfc7512Forbids() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Pkcs11Uri.parse("pkcs11:token=a;token=b"))
        .withMessage("token appears more than once");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Pkcs11Uri.parse("pkcs11:object=my key"))
        .withMessage("the value of object has a character that must be percent-encoded");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Pkcs11Uri.parse("pkcs11:type=secret"))
        .withMessageStartingWith("type 'secret' is not one of");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Pkcs11Uri.parse("pkcs11:slot-id=first"))
        .withMessage("slot-id 'first' is not a number");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Pkcs11Uri.parse("pkcs11:token"))
        .withMessage("'token' in the path is not name=value");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Pkcs11Uri.parse("file:///x"))
        .withMessage("does not start with pkcs11:");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Pkcs11Uri.parse("pkcs11:token=a?pin-source=file:/p&pin-value=1"))
        .withMessage("pin-source and pin-value cannot both be given");
  }
}
