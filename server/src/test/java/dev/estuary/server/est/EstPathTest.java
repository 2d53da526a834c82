package dev.estuary.server.est;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EstPathTest {

  @Test
  void anUnlabeledPathHasNoLabel() {
    assertThat(EstPath.parse("/.well-known/est/cacerts"))
        .isEqualTo(new EstPath.Parsed(new EstPath(null, "cacerts"), null));
  }

  @Test
  void aLabeledPathCarriesItsLabel() {
    assertThat(EstPath.parse("/.well-known/est/sensors/simpleenroll"))
        .isEqualTo(new EstPath.Parsed(new EstPath("sensors", "simpleenroll"), null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cacerts", "simpleenroll", "simplereenroll", "csrattrs", "serverkeygen"})
  void everyEstOperationIsRecognised(String op) {
    assertThat(EstPath.parse("/.well-known/est/" + op).path()).isEqualTo(new EstPath(null, op));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "//.well-known/est/sensors/simpleenroll",
        "/.well-known//est/sensors/simpleenroll",
        "/.well-known/est//sensors/simpleenroll",
        "/.well-known/est/sensors//simpleenroll",
        "/.well-known/est///sensors///simpleenroll"
      })
  void toleratesRepeatedSlashes(String raw) {
    assertThat(EstPath.parse(raw).path()).isEqualTo(new EstPath("sensors", "simpleenroll"));
  }

  @Test
  void toleratesATrailingSlashOnALabeledPath() {
    assertThat(EstPath.parse("/.well-known/est/sensors/simpleenroll/").path())
        .isEqualTo(new EstPath("sensors", "simpleenroll"));
  }

  @Test
  void toleratesATrailingSlashOnAnUnlabeledPath() {
    assertThat(EstPath.parse("/.well-known/est/cacerts/").path())
        .isEqualTo(new EstPath(null, "cacerts"));
  }

  @Test
  void anUnknownOperationIsAnErrorNamingThePathAndTheOperations() {
    EstPath.Parsed parsed = EstPath.parse("/.well-known/est/sensors/renew");

    assertThat(parsed.path()).isNull();
    assertThat(parsed.error())
        .contains("'/.well-known/est/sensors/renew'")
        .contains("cacerts|simpleenroll|simplereenroll|csrattrs");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/.well-known/est",
        "/.well-known/est/",
        "/.well-known/est/sensors",
        "/.well-known/est/a/b/cacerts"
      })
  void aPathWithoutExactlyOneOptionalLabelAndAnOperationIsAnError(String raw) {
    EstPath.Parsed parsed = EstPath.parse(raw);

    assertThat(parsed.path()).isNull();
    assertThat(parsed.error()).contains("no EST operation");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/",
        "/cacerts",
        "/.well-known/estuary/cacerts",
        "/.well-known/esta",
        "/api/.well-known/est/cacerts"
      })
  void aPathNotUnderThePrefixIsNull(String raw) {
    assertThat(EstPath.parse(raw)).isNull();
  }
}
