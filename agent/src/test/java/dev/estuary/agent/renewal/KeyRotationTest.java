package dev.estuary.agent.renewal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.agent.renewal.InMemoryCredentialFiles.Cert;
import dev.estuary.agent.renewal.InMemoryCredentialFiles.Failure;
import dev.estuary.agent.renewal.InMemoryCredentialFiles.Op;
import dev.estuary.agent.renewal.KeyRotation.Recovery;
import dev.estuary.agent.renewal.KeyRotation.Result;
import dev.estuary.agent.renewal.KeyRotation.Step;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyRotationTest {
  private static final String ID = "device-id";
  private static final String TEMP = "device-id-temp";

  private final InMemoryCredentialFiles files = InMemoryCredentialFiles.withPair(ID);
  private final KeyRotation<Cert> rotation = new KeyRotation<>(files);

  private Result<Cert> rotate() throws IOException {
    return rotation.rotate(ID, ID, files::issueFor);
  }

  private void assertOldPairInForce() {
    assertThat(files.key(ID)).contains("key-0");
    assertThat(files.cert(ID)).contains(new Cert("key-0"));
    assertThat(files.key(TEMP)).isEmpty();
  }

  private void assertMatchingPairWithoutTemporaryKey() {
    assertThat(files.certificateMatchesKey(ID, ID)).isTrue();
    assertThat(files.key(TEMP)).isEmpty();
  }

  @Test
  void temporaryKeyIdIsDerivedFromTheKeyId() {
    assertThat(KeyRotation.temporaryKeyId(ID)).isEqualTo(TEMP);
  }

  @Test
  void rotationPutsANewKeyAndItsCertificateInForce() throws IOException {
    Result<Cert> result = rotate();

    assertThat(result).isEqualTo(new Result.Rotated<>(new Cert("key-1")));
    assertThat(files.key(ID)).contains("key-1");
    assertMatchingPairWithoutTemporaryKey();
  }

  @Test
  void stepsRunInTheDocumentedOrder() throws IOException {
    rotate();

    assertThat(files.journal())
        .containsExactly(
            "generateKey " + TEMP,
            "issue " + TEMP,
            "writeCertificate " + ID,
            "replaceKey " + TEMP + " -> " + ID);
  }

  @Test
  void failureToGenerateTheKeyKeepsTheOldPair() throws IOException {
    files.failNext(Op.GENERATE_KEY, Failure.BEFORE_EFFECT);

    Result<Cert> result = rotate();

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.KeptOld.class, r -> assertThat(r.step()).isEqualTo(Step.GENERATE_KEY));
    assertOldPairInForce();
  }

  @Test
  void failureToObtainTheCertificateKeepsTheOldPairAndDropsTheNewKey() throws IOException {
    IOException refused = new IOException("403 Forbidden");

    Result<Cert> result =
        rotation.rotate(
            ID,
            ID,
            keyId -> {
              throw refused;
            });

    assertThat(result).isEqualTo(new Result.KeptOld<Cert>(Step.ISSUE_CERTIFICATE, refused));
    assertOldPairInForce();
  }

  @Test
  void failedCertificateWriteKeepsTheOldPairAndDropsTheNewKey() throws IOException {
    files.failNext(Op.WRITE_CERTIFICATE, Failure.BEFORE_EFFECT);

    Result<Cert> result = rotate();

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.KeptOld.class, r -> assertThat(r.step()).isEqualTo(Step.WRITE_CERTIFICATE));
    assertOldPairInForce();
  }

  @Test
  void certificateWriteThatLandedBeforeFailingCompletesTheRotation() throws IOException {
    files.failNext(Op.WRITE_CERTIFICATE, Failure.AFTER_EFFECT);

    Result<Cert> result = rotate();

    assertThat(result).isInstanceOf(Result.Rotated.class);
    assertThat(files.key(ID)).contains("key-1");
    assertMatchingPairWithoutTemporaryKey();
  }

  @Test
  void failureToMoveTheKeyKeepsItForRecovery() throws IOException {
    files.failNext(Op.REPLACE_KEY, Failure.BEFORE_EFFECT);

    Result<Cert> result = rotate();

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.Interrupted.class, r -> assertThat(r.step()).isEqualTo(Step.REPLACE_KEY));
    assertThat(files.certificateMatchesKey(ID, TEMP)).isTrue();
    assertThat(rotation.recover(ID, ID)).isEqualTo(Recovery.COMPLETED);
    assertThat(files.key(ID)).contains("key-1");
    assertMatchingPairWithoutTemporaryKey();
  }

  @Test
  void failureToDropTheNewKeyIsReportedAndRecoveryDropsItLater() throws IOException {
    files.failNext(Op.WRITE_CERTIFICATE, Failure.BEFORE_EFFECT);
    files.failNext(Op.DELETE_KEY, Failure.BEFORE_EFFECT);

    Result<Cert> result = rotate();

    assertThat(result)
        .isInstanceOfSatisfying(
            Result.KeptOld.class, r -> assertThat(r.cause().getSuppressed()).hasSize(1));
    assertThat(files.key(TEMP)).isPresent();
    assertThat(rotation.recover(ID, ID)).isEqualTo(Recovery.DISCARDED);
    assertOldPairInForce();
  }

  @Test
  void recoveryWithNoRotationUnderWayChangesNothing() throws IOException {
    assertThat(rotation.recover(ID, ID)).isEqualTo(Recovery.NOTHING_TO_DO);
    assertOldPairInForce();
    assertThat(files.journal()).isEmpty();
  }

  @Test
  void rotationFinishesAnInterruptedOneBeforeMakingAnotherKey() throws IOException {
    files.failNext(Op.REPLACE_KEY, Failure.BEFORE_EFFECT);
    rotate();
    files.journal().clear();

    rotate();

    // Generating over the temporary key first would have destroyed the only key matching the
    // certificate on disk.
    assertThat(files.journal())
        .startsWith("replaceKey " + TEMP + " -> " + ID, "generateKey " + TEMP);
    assertThat(files.key(ID)).contains("key-2");
    assertMatchingPairWithoutTemporaryKey();
  }

  @ParameterizedTest(name = "killed after {0} changes")
  @ValueSource(ints = {0, 1, 2, 3})
  void killedAtAnyPointOfARotationLeavesAMatchingPairAfterRecovery(int changes) throws IOException {
    files.killAfter(changes);
    if (changes < 3) {
      assertThatThrownBy(this::rotate).isInstanceOf(InMemoryCredentialFiles.Killed.class);
    } else {
      rotate();
    }

    files.restart();
    new KeyRotation<>(files).recover(ID, ID);

    assertMatchingPairWithoutTemporaryKey();
  }

  @ParameterizedTest(name = "killed after {0} changes")
  @ValueSource(ints = {0, 1, 2})
  void killedWhileCleaningUpAfterARefusalLeavesTheOldPair(int changes) throws IOException {
    files.killAfter(changes);
    try {
      rotation.rotate(
          ID,
          ID,
          keyId -> {
            throw new IOException("401 Unauthorized");
          });
    } catch (InMemoryCredentialFiles.Killed expected) {
      // the process died
    }

    files.restart();
    new KeyRotation<>(files).recover(ID, ID);

    assertOldPairInForce();
  }
}
