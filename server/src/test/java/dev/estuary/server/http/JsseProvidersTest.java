package dev.estuary.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@code [tls] provider}: "jdk" and "conscrypt" as they are, "auto" by what this machine has. */
class JsseProvidersTest {
  @Test
  void namedProvidersAreTakenAsTheyAre() {
    assertThat(JsseProviders.resolve("jdk", false)).isEqualTo("jdk");
    assertThat(JsseProviders.resolve("conscrypt", false)).isEqualTo("conscrypt");
  }

  @Test
  void autoIsConscryptWhereItsBundledLibraryExistsAndTheJdksElsewhere() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    assumeTrue(os.contains("linux"), "the bundled libraries are known here for Linux");
    boolean bundled = arch.equals("amd64") || arch.equals("x86_64");

    String auto = JsseProviders.resolve("auto", false);

    assertThat(auto).isEqualTo(bundled ? "conscrypt" : "jdk");
    if (bundled) {
      assertThat(JsseProviders.named(auto).getName()).isEqualTo("Conscrypt");
    }
  }

  @Test
  void autoIsTheJdksWhenTheTlsKeyIsOnAToken() {
    assertThat(JsseProviders.resolve("auto", true)).isEqualTo("jdk");
  }

  @Test
  void anUnknownNameIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> JsseProviders.named("openssl"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'openssl'")
        .hasMessageContaining("jdk, conscrypt");
  }
}
