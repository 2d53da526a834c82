package dev.estuary.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHashTest {
  /** Low on purpose: these tests are about the encoding, not the work factor. */
  private static final int ITERATIONS = 1_000;

  private static final SecureRandom RANDOM = new SecureRandom();

  private static String hash(String secret) {
    return PasswordHash.hash(secret, RANDOM, ITERATIONS);
  }

  @Test
  void verifiesTheSecretThatWasHashed() {
    assertThat(PasswordHash.verify("correct horse", hash("correct horse"))).isTrue();
  }

  @Test
  void refusesAnyOtherSecret() {
    String stored = hash("correct horse");

    assertThat(PasswordHash.verify("correct horsE", stored)).isFalse();
    assertThat(PasswordHash.verify("", stored)).isFalse();
  }

  @Test
  void encodesSchemeIterationsSaltAndHash() {
    assertThat(hash("s")).matches("pbkdf2-sha256\\$1000\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
  }

  @Test
  void hashingTheSameSecretTwiceUsesDifferentSalts() {
    String a = hash("same secret");
    String b = hash("same secret");

    assertThat(a.split("\\$")[2]).isNotEqualTo(b.split("\\$")[2]);
    assertThat(a).isNotEqualTo(b);
    assertThat(PasswordHash.verify("same secret", a)).isTrue();
    assertThat(PasswordHash.verify("same secret", b)).isTrue();
  }

  @Test
  void verifyUsesTheIterationCountStoredInTheEncoding() {
    String stored = hash("s");

    assertThat(PasswordHash.verify("s", stored.replace("$1000$", "$1001$"))).isFalse();
  }

  @Test
  void verifiesAnEmptySecretThatWasHashed() {
    assertThat(PasswordHash.verify("", hash(""))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "plain-text-password",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA$extra",
        "bcrypt$1000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA",
        "pbkdf2-sha256$many$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA",
        "pbkdf2-sha256$0$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA",
        "pbkdf2-sha256$-5$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA",
        "pbkdf2-sha256$1000$!!not base64!!$aGFzaA",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$!!",
        "pbkdf2-sha256$1000$$aGFzaA",
        "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$"
      })
  void aMalformedEncodingVerifiesNothing(String encoded) {
    assertThat(PasswordHash.verify("secret", encoded)).isFalse();
  }
}
