package dev.estuary.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyPolicyTest {

  private static KeyDescription describe(String type) throws PkiException {
    return KeyDescription.of(TestMaterial.spki(TestMaterial.key(type)));
  }

  @Test
  void parsesTheConfigurationList() {
    KeyPolicy policy = KeyPolicy.parse(List.of("ec-p256", "ec-p384", "rsa-3072", "ed25519"));

    assertThat(policy).isEqualTo(new KeyPolicy(Set.of("P-256", "P-384"), 3072, true));
  }

  @Test
  void parseIgnoresCaseAndSurroundingSpace() {
    assertThat(KeyPolicy.parse(List.of(" EC-P256 ", "Ed25519")))
        .isEqualTo(new KeyPolicy(Set.of("P-256"), 0, true));
  }

  @Test
  void parseTakesTheSmallestRsaSizeListedAsTheMinimum() {
    assertThat(KeyPolicy.parse(List.of("rsa-4096", "rsa-2048")).rsaMinBits()).isEqualTo(2048);
  }

  @Test
  void parseOfAListWithoutRsaRefusesRsa() {
    assertThat(KeyPolicy.parse(List.of("ec-p256")).rsaMinBits()).isZero();
  }

  @Test
  void parseRefusesAnUnknownKeyTypeNamingIt() {
    assertThatThrownBy(() -> KeyPolicy.parse(List.of("ec-p256", "dsa-1024")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'dsa-1024'");
  }

  @Test
  void parseRefusesRsaBelow2048() {
    assertThatThrownBy(() -> KeyPolicy.parse(List.of("rsa-1024")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1024");
  }

  @Test
  void constructionRefusesAnRsaMinimumBelow2048() {
    assertThatThrownBy(() -> new KeyPolicy(Set.of(), 1024, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2048");
  }

  @Test
  void constructionAcceptsZeroAsNoRsa() {
    assertThatCode(() -> new KeyPolicy(Set.of("P-256"), 0, false)).doesNotThrowAnyException();
  }

  @Test
  void acceptsTheKeysItLists() throws Exception {
    KeyPolicy policy = KeyPolicy.parse(List.of("ec-p256", "ec-p384", "rsa-2048", "ed25519"));

    for (String type : List.of("ec-p256", "ec-p384", "rsa-2048", "ed25519")) {
      assertThatCode(() -> policy.check(describe(type))).as(type).doesNotThrowAnyException();
    }
  }

  @Test
  void refusesAnEcCurveItDoesNotListNamingTheKeyAndTheAcceptedSet() {
    assertThatThrownBy(() -> KeyPolicy.DEFAULT.check(describe("ec-p192")))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("EC P-192")
        .hasMessageContaining("accepted: EC P-256, EC P-384, RSA 2048-4096");
  }

  @Test
  void refusesAnRsaKeyBelowTheMinimumNamingTheKeyAndTheAcceptedSet() {
    assertThatThrownBy(() -> KeyPolicy.DEFAULT.check(describe("rsa-1024")))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("RSA 1024")
        .hasMessageContaining("accepted: EC P-256, EC P-384, RSA 2048-4096");
  }

  @Test
  void refusesRsaWhenNoneIsAccepted() {
    KeyPolicy ecOnly = KeyPolicy.parse(List.of("ec-p256"));

    assertThatThrownBy(() -> ecOnly.check(describe("rsa-2048")))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("RSA 2048")
        .hasMessageContaining("accepted: EC P-256");
  }

  @Test
  void refusesEd25519UnlessAllowed() {
    assertThatThrownBy(() -> KeyPolicy.DEFAULT.check(describe("ed25519")))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("key Ed25519 is not accepted");
  }

  @Test
  void refusesAnUnknownKeyFamily() {
    KeyDescription dsa = new KeyDescription("1.2.840.10040.4.1", "", 0);

    assertThatThrownBy(() -> KeyPolicy.DEFAULT.check(dsa))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("1.2.840.10040.4.1");
  }

  @Test
  void anEmptyPolicyAcceptsNothingAndSaysSo() {
    KeyPolicy none = KeyPolicy.parse(List.of());

    assertThat(none.describe()).isEqualTo("none");
    assertThatThrownBy(() -> none.check(describe("ec-p256")))
        .hasMessageContaining("accepted: none");
  }
}
