package dev.estuary.agent.credential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.est.EstClient;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.renewal.FailureKind;
import dev.estuary.agent.renewal.KeyRotation;
import dev.estuary.agent.renewal.RenewalAttempt;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.state.StateFile;
import dev.estuary.agent.store.CertificateFiles;
import dev.estuary.agent.store.CredentialStore;
import dev.estuary.agent.store.FileKeys;
import dev.estuary.agent.store.TrustStore;
import dev.estuary.agent.testing.ScriptedEstServer;
import dev.estuary.agent.testing.ScriptedEstServer.Answer;
import dev.estuary.agent.testing.ScriptedEstServer.Response;
import dev.estuary.agent.testing.TestCa;
import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.CsrBuilder;
import dev.estuary.pki.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EstCredential} with real key and certificate files, a real state file and a scripted EST
 * server that signs the CSR's key: what lands on disk after a success, that nothing changes after a
 * failure, and how a certificate file changed by hand is treated.
 */
class EstCredentialTest {
  private static final String ID = "device-id";
  private static final String CN = "my-device-id";
  private static final EstIdentity ANONYMOUS = EstIdentity.basicOnly(Optional.empty());

  private static TestCa ca;
  private static ScriptedEstServer server;
  private static EstClient est;

  @TempDir Path dir;
  private CredentialStore store;
  private FileKeys keys;
  private StateFile state;

  @BeforeAll
  static void startServer() throws Exception {
    ca = new TestCa();
    server = ScriptedEstServer.start(ca);
    est = new EstClient(List.of(ca.certificate()), Duration.ofSeconds(10), Clock.systemUTC());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void emptyDevice() throws Exception {
    server.reset();
    keys = new FileKeys(dir.resolve("keys"), "ec-p256", new SecureRandom());
    store = new CredentialStore(keys, new CertificateFiles(dir.resolve("certs")));
    state = StateFile.open(dir, Clock.systemUTC());
  }

  @Test
  void theFirstIssuanceStoresAMatchingPairWithAPrivateKeyAndRecordsItsFingerprint()
      throws Exception {
    server.then(issuing(CsrBuilder.Kind.CLIENT_IDENTITY));
    EstCredential credential = credential(CsrBuilder.Kind.CLIENT_IDENTITY);

    RenewalOutcome outcome = credential.renew(attempt(false));

    EstCredential.Pair pair = credential.pair().orElseThrow();
    assertThat(outcome).isEqualTo(new RenewalOutcome.Renewed(pair.info()));
    assertThat(pair.leaf().getSubjectX500Principal().getName()).isEqualTo("CN=" + CN);
    assertThat(server.onlyRequest().csr().publicKeyInfo().getEncoded())
        .isEqualTo(pair.key().publicKey().getEncoded());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.path(ID))))
        .isEqualTo("rw-------");
    assertThat(state.knows(ID)).isTrue();
    assertThat(state.wrote(ID, store.certificates().fingerprint(ID).orElseThrow())).isTrue();
    assertThat(keys.exists(KeyRotation.temporaryKeyId(ID))).isFalse();
    assertThat(credential.current()).contains(pair.info());
  }

  @ParameterizedTest(name = "rotate key {0}")
  @ValueSource(booleans = {true, false})
  void aRenewalReplacesTheCertificateAndTheKeyExactlyWhenAskedTo(boolean rotateKey)
      throws Exception {
    EstCredential credential = issued(CsrBuilder.Kind.CLIENT_IDENTITY);
    OnDisk before = onDisk();
    server.then(issuing(CsrBuilder.Kind.CLIENT_IDENTITY));

    assertThat(credential.renew(attempt(rotateKey))).isInstanceOf(RenewalOutcome.Renewed.class);

    OnDisk after = onDisk();
    assertThat(after.key().equals(before.key())).as("key kept").isEqualTo(!rotateKey);
    assertThat(after.certificate()).isNotEqualTo(before.certificate());
    assertThat(credential.pair()).isPresent();
    assertThat(keys.exists(KeyRotation.temporaryKeyId(ID))).isFalse();
    assertThat(state.wrote(ID, store.certificates().fingerprint(ID).orElseThrow())).isTrue();
  }

  /**
   * Every way an enrollment can fail, with a new key; and the answers checked alike when the key is
   * kept.
   */
  static Stream<Arguments> failures() {
    Answer anotherKey =
        ScriptedEstServer.enrolling(spki -> ca.client(CN, TestCa.newKey().getPublic()));
    Answer expired =
        ScriptedEstServer.enrolling(
            spki ->
                ca.client(
                    CN,
                    spki,
                    Instant.now().minus(Duration.ofDays(2)),
                    Instant.now().minus(Duration.ofDays(1))));
    TestCa rogue = TestCa.root("Rogue Root", Duration.ofDays(36_500));
    Answer untrusted =
        r ->
            r.uri().getPath().endsWith("/cacerts")
                ? Response.certs(rogue.certificate())
                : Response.certs(
                    rogue.issue(
                        CN,
                        null,
                        r.csr().publicKeyInfo(),
                        CertificateProfile.clientIdentity(Duration.ofDays(36_000)),
                        Instant.now().minusSeconds(60),
                        Instant.now().plus(Duration.ofDays(36_000))),
                    rogue.certificate());
    Answer anotherName = ScriptedEstServer.enrolling(spki -> ca.client("another-device", spki));
    Answer later =
        ScriptedEstServer.enrolling(
            spki ->
                ca.client(
                    CN,
                    spki,
                    Instant.now().plus(Duration.ofDays(10)),
                    Instant.now().plus(Duration.ofDays(20))));
    return Stream.of(
        Arguments.of(
            "untrusted root, 100 years",
            CsrBuilder.Kind.CLIENT_IDENTITY,
            untrusted,
            FailureKind.BAD_RESPONSE,
            true),
        Arguments.of(
            "untrusted root, 100 years",
            CsrBuilder.Kind.CLIENT_IDENTITY,
            untrusted,
            FailureKind.BAD_RESPONSE,
            false),
        Arguments.of(
            "another common name",
            CsrBuilder.Kind.CLIENT_IDENTITY,
            anotherName,
            FailureKind.BAD_RESPONSE,
            true),
        Arguments.of(
            "not yet valid",
            CsrBuilder.Kind.CLIENT_IDENTITY,
            later,
            FailureKind.BAD_RESPONSE,
            false),
        Arguments.of(
            "500",
            CsrBuilder.Kind.CLIENT_IDENTITY,
            Answer.with(Response.text(500, "boom")),
            FailureKind.SERVER_ERROR,
            true),
        Arguments.of(
            "garbage",
            CsrBuilder.Kind.CLIENT_IDENTITY,
            Answer.with(
                Response.ok(Response.CERTS_ONLY, "garbage".getBytes(StandardCharsets.US_ASCII))),
            FailureKind.BAD_RESPONSE,
            true),
        Arguments.of(
            "another key",
            CsrBuilder.Kind.CLIENT_IDENTITY,
            anotherKey,
            FailureKind.BAD_RESPONSE,
            true),
        Arguments.of(
            "expired", CsrBuilder.Kind.CLIENT_IDENTITY, expired, FailureKind.BAD_RESPONSE, true),
        Arguments.of(
            "not a CA for the Edge CA",
            CsrBuilder.Kind.EDGE_CA,
            issuing(CsrBuilder.Kind.CLIENT_IDENTITY),
            FailureKind.BAD_RESPONSE,
            true),
        Arguments.of(
            "a CA for a client",
            CsrBuilder.Kind.CLIENT_IDENTITY,
            issuing(CsrBuilder.Kind.EDGE_CA),
            FailureKind.BAD_RESPONSE,
            true),
        Arguments.of(
            "500",
            CsrBuilder.Kind.CLIENT_IDENTITY,
            Answer.with(Response.text(500, "boom")),
            FailureKind.SERVER_ERROR,
            false),
        Arguments.of(
            "another key",
            CsrBuilder.Kind.CLIENT_IDENTITY,
            anotherKey,
            FailureKind.BAD_RESPONSE,
            false),
        Arguments.of(
            "expired", CsrBuilder.Kind.CLIENT_IDENTITY, expired, FailureKind.BAD_RESPONSE, false));
  }

  @ParameterizedTest(name = "{0}, rotate key {4}")
  @MethodSource("failures")
  void aFailureLeavesThePreviousKeyAndCertificateUntouched(
      String name, CsrBuilder.Kind kind, Answer answer, FailureKind expected, boolean rotate)
      throws Exception {
    EstCredential credential = issued(kind);
    OnDisk before = onDisk();
    server.always(answer); // the enrollment, and cacerts when the agent asks for it

    RenewalOutcome outcome = credential.renew(attempt(rotate));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            RenewalOutcome.Failed.class,
            f -> assertThat(f.kind()).as(f.reason()).isEqualTo(expected));
    assertThat(onDisk()).isEqualTo(before);
    assertThat(keys.exists(KeyRotation.temporaryKeyId(ID))).isFalse();
    assertThat(credential.current()).contains(EstCredential.infoOf(before.leaf()));
  }

  @Test
  void aBadAnswerIsReportedWithTheUrlAndWhatIsWrong() throws Exception {
    EstCredential credential = issued(CsrBuilder.Kind.EDGE_CA);
    server.then(issuing(CsrBuilder.Kind.CLIENT_IDENTITY));

    RenewalOutcome.Failed failed = (RenewalOutcome.Failed) credential.renew(attempt(true));

    assertThat(failed.reason())
        .isEqualTo(
            server.base(ID)
                + ": the certificate returned for the Edge CA is not a CA certificate (is the URL an Edge CA label?)");
  }

  /**
   * Issue 16 point 1: a 401/403 to the identity presented is retried at once with the identity the
   * source offers instead.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {401, 403})
  void aRefusedIdentityIsRetriedWithTheOneOfferedInstead(int status) throws Exception {
    KeyPair refusedKey = TestCa.newKey();
    KeyPair bootstrapKey = TestCa.newKey();
    EstIdentity refused =
        new EstIdentity(
            List.of(ca.client("est-id", refusedKey.getPublic())),
            refusedKey.getPrivate(),
            Optional.empty(),
            "est-id");
    EstIdentity bootstrap =
        new EstIdentity(
            List.of(ca.client("idevid", bootstrapKey.getPublic())),
            bootstrapKey.getPrivate(),
            Optional.empty(),
            "bootstrap");
    List<String> told = new ArrayList<>();
    IdentitySource source =
        new IdentitySource() {
          @Override
          public EstIdentity identityAt(Instant now) {
            return told.isEmpty() ? refused : bootstrap;
          }

          @Override
          public Optional<EstIdentity> afterRefusal(
              EstIdentity who, String credentialId, Instant now) {
            told.add(who.name() + " for " + credentialId);
            return Optional.of(bootstrap);
          }
        };
    server
        .then(Answer.with(Response.text(status, "unknown client certificate")))
        .then(issuing(CsrBuilder.Kind.CLIENT_IDENTITY));
    EstCredential credential =
        new EstCredential(
            new EstCredential.Request(ID, CN, CsrBuilder.Kind.CLIENT_IDENTITY, server.base(ID)),
            store,
            est,
            source,
            state,
            Clock.systemUTC(),
            null);

    assertThat(credential.renew(attempt(true))).isInstanceOf(RenewalOutcome.Renewed.class);

    assertThat(told).containsExactly("est-id for " + ID);
    assertThat(server.requests())
        .extracting(r -> r.clientCertificate().orElseThrow())
        .containsExactly(refused.chain().get(0), bootstrap.chain().get(0));
  }

  @Test
  void anotherRefusalIsNotRetried() throws Exception {
    EstCredential credential = issued(CsrBuilder.Kind.CLIENT_IDENTITY);
    OnDisk before = onDisk();
    server.reset();
    server.then(Answer.with(Response.text(400, "bad CSR")));

    RenewalOutcome outcome = credential.renew(attempt(true));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            RenewalOutcome.Failed.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.REFUSED));
    assertThat(server.requests()).hasSize(1);
    assertThat(onDisk()).isEqualTo(before);
  }

  @Test
  void anIssuedCertificateAloneIsCompletedWithTheChainCacertsServes() throws Exception {
    TestCa issuing = ca.subordinate("Device Issuing CA", 0);
    server
        .then(
            ScriptedEstServer.enrolling(
                spki -> issuing.client(CN, spki))) // RFC 7030 §4.2.3: the issued certificate alone
        .then(
            Answer.with(
                Response.certs(ca.certificate(), issuing.certificate()))); // cacerts, root first
    EstCredential credential = credential(CsrBuilder.Kind.CLIENT_IDENTITY);

    assertThat(credential.renew(attempt(true))).isInstanceOf(RenewalOutcome.Renewed.class);

    assertThat(server.requests())
        .extracting(r -> r.uri().getPath())
        .containsExactly(
            "/.well-known/est/" + ID + "/simpleenroll", "/.well-known/est/" + ID + "/cacerts");
    assertThat(credential.pair().orElseThrow().chain())
        .hasSize(2)
        .last()
        .isEqualTo(issuing.certificate());
  }

  @Test
  void aCertificateFromACaRolledAMomentAgoIsCheckedAgainstCacertsOnceMore() throws Exception {
    TestCa rolled = ca.subordinate("Device Issuing CA G2", 0);
    server
        .then(ScriptedEstServer.enrolling(spki -> rolled.client(CN, spki))) // the new generation
        .then(Answer.with(Response.certs(ca.certificate()))) // a replica not yet rolled
        .then(Answer.with(Response.certs(ca.certificate(), rolled.certificate())));
    EstCredential credential = credential(CsrBuilder.Kind.CLIENT_IDENTITY);

    assertThat(credential.renew(attempt(true))).isInstanceOf(RenewalOutcome.Renewed.class);

    assertThat(server.requests())
        .extracting(r -> r.uri().getPath())
        .containsExactly(
            "/.well-known/est/" + ID + "/simpleenroll",
            "/.well-known/est/" + ID + "/cacerts",
            "/.well-known/est/" + ID + "/cacerts");
    List<ScriptedEstServer.Request> requests = server.requests();
    assertThat(requests.get(1).clientPort())
        .as("the first cacerts over the enrollment's kept-alive connection")
        .isEqualTo(requests.get(0).clientPort());
    assertThat(requests.get(2).clientPort())
        .as("the second over a new connection (behind a load balancer: perhaps another replica)")
        .isNotEqualTo(requests.get(1).clientPort());
    assertThat(credential.pair().orElseThrow().chain()).last().isEqualTo(rolled.certificate());
  }

  @Test
  void aRenewalCompletesTheChainWithTheCacertsItFetchedForARootKeyUpdateWithoutAskingAgain()
      throws Exception {
    TestCa issuing = ca.subordinate("Device Issuing CA", 0);
    server
        .then(Answer.with(Response.certs(ca.certificate(), issuing.certificate()))) // cacerts
        .then(ScriptedEstServer.enrolling(spki -> issuing.client(CN, spki))); // the leaf alone
    EstCredential credential = followingRootUpdates(CsrBuilder.Kind.CLIENT_IDENTITY);

    assertThat(credential.renew(attempt(true))).isInstanceOf(RenewalOutcome.Renewed.class);

    assertThat(server.requests())
        .extracting(r -> r.uri().getPath())
        .containsExactly(
            "/.well-known/est/" + ID + "/cacerts", "/.well-known/est/" + ID + "/simpleenroll");
    assertThat(credential.pair().orElseThrow().chain())
        .as("completed from the cacerts of the root key update")
        .hasSize(2)
        .last()
        .isEqualTo(issuing.certificate());
  }

  @Test
  void aCertificateFromACaRolledAfterTheRenewalsCacertsIsCheckedAgainstAFreshOne()
      throws Exception {
    TestCa rolled = ca.subordinate("Device Issuing CA G2", 0);
    server
        .then(Answer.with(Response.certs(ca.certificate()))) // before the roll
        .then(ScriptedEstServer.enrolling(spki -> rolled.client(CN, spki))) // after it
        .then(Answer.with(Response.certs(ca.certificate(), rolled.certificate())));
    EstCredential credential = followingRootUpdates(CsrBuilder.Kind.CLIENT_IDENTITY);

    assertThat(credential.renew(attempt(true))).isInstanceOf(RenewalOutcome.Renewed.class);

    List<ScriptedEstServer.Request> requests = server.requests();
    assertThat(requests)
        .extracting(r -> r.uri().getPath())
        .containsExactly(
            "/.well-known/est/" + ID + "/cacerts",
            "/.well-known/est/" + ID + "/simpleenroll",
            "/.well-known/est/" + ID + "/cacerts");
    assertThat(requests.get(2).clientPort())
        .as("asked again over the enrollment's connection")
        .isEqualTo(requests.get(1).clientPort());
    assertThat(credential.pair().orElseThrow().chain()).last().isEqualTo(rolled.certificate());
  }

  @Test
  void aCertificateNoCacertsAnswerChainsIsRefusedAfterTheSecondAndNothingIsStored()
      throws Exception {
    TestCa stranger = new TestCa("Not Our CA");
    server
        .then(ScriptedEstServer.enrolling(spki -> stranger.client(CN, spki)))
        .always(Answer.with(Response.certs(ca.certificate())));
    EstCredential credential = credential(CsrBuilder.Kind.CLIENT_IDENTITY);

    RenewalOutcome outcome = credential.renew(attempt(true));

    assertThat(outcome).isInstanceOf(RenewalOutcome.Failed.class);
    assertThat(((RenewalOutcome.Failed) outcome).reason()).contains("does not chain");
    assertThat(server.requests()).hasSize(3); // the enrollment and two cacerts, no more
    assertThat(credential.pair()).isEmpty();
  }

  @Test
  void anIssuedCertificateWithItsChainNeedsNoCacerts() throws Exception {
    TestCa issuing = ca.subordinate("Device Issuing CA", 0);
    server.then(
        r ->
            Response.certs(
                issuing.client(CN, r.csr().publicKeyInfo()),
                issuing.certificate(),
                ca.certificate()));
    EstCredential credential = credential(CsrBuilder.Kind.CLIENT_IDENTITY);

    assertThat(credential.renew(attempt(true))).isInstanceOf(RenewalOutcome.Renewed.class);

    assertThat(server.requests()).hasSize(1);
    assertThat(credential.pair().orElseThrow().chain())
        .as("stored without the root")
        .hasSize(2)
        .last()
        .isEqualTo(issuing.certificate());
  }

  @Test
  void aRateLimitedRequestCarriesTheServersRetryAfter() throws Exception {
    EstCredential credential = issued(CsrBuilder.Kind.CLIENT_IDENTITY);
    server.then(Answer.with(Response.text(429, "slow down").with("Retry-After", "90")));

    RenewalOutcome outcome = credential.renew(attempt(true));

    assertThat(outcome)
        .isEqualTo(
            new RenewalOutcome.Failed(
                FailureKind.RATE_LIMITED,
                "POST " + server.base(ID) + "/simpleenroll: 429 slow down",
                Optional.of(Duration.ofSeconds(90))));
  }

  @Test
  void aCertificateFileChangedByHandSuspendsRenewalAndIsLeftAsItIs() throws Exception {
    EstCredential credential = issued(CsrBuilder.Kind.CLIENT_IDENTITY);
    byte[] byHand = writeCertificateByHand(ca.client(CN, TestCa.newKey().getPublic()));
    server.reset();

    RenewalOutcome outcome = credential.renew(attempt(true));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            RenewalOutcome.Suspended.class,
            s ->
                assertThat(s.reason())
                    .contains(store.certificates().path(ID).toString())
                    .contains("changed outside the agent"));
    assertThat(store.certificates().path(ID)).hasBinaryContent(byHand);
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void adoptingTheFileOnDiskAllowsRenewalAgain() throws Exception {
    EstCredential credential = issued(CsrBuilder.Kind.CLIENT_IDENTITY);
    writeCertificateByHand(ca.client(CN, TestCa.newKey().getPublic()));

    credential.adoptFileOnDisk();
    server.then(issuing(CsrBuilder.Kind.CLIENT_IDENTITY));

    assertThat(credential.renew(attempt(false))).isInstanceOf(RenewalOutcome.Renewed.class);
    assertThat(credential.pair()).isPresent();
  }

  @Test
  void aMatchingPairOnDiskIsAdoptedSilentlyWhenTheStateWasLost() throws Exception {
    issued(CsrBuilder.Kind.CLIENT_IDENTITY);
    Files.delete(dir.resolve(StateFile.NAME));
    state = StateFile.open(dir, Clock.systemUTC());
    server.then(issuing(CsrBuilder.Kind.CLIENT_IDENTITY));

    RenewalOutcome outcome = credential(CsrBuilder.Kind.CLIENT_IDENTITY).renew(attempt(false));

    assertThat(outcome).isInstanceOf(RenewalOutcome.Renewed.class);
    assertThat(state.knows(ID)).isTrue();
  }

  @Test
  void aCertificateOfAnotherKeyWithNoRecordIsNotAdopted() throws Exception {
    writeCertificateByHand(ca.client(CN, TestCa.newKey().getPublic()));
    keys.generate(ID);

    RenewalOutcome outcome = credential(CsrBuilder.Kind.CLIENT_IDENTITY).renew(attempt(true));

    assertThat(outcome).isInstanceOf(RenewalOutcome.Suspended.class);
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void thereIsNoCurrentCertificateWhenTheKeyDoesNotMatchIt() throws Exception {
    EstCredential credential = issued(CsrBuilder.Kind.CLIENT_IDENTITY);
    assertThat(credential.current()).isPresent();

    keys.generate(ID);

    assertThat(credential.current()).isEmpty();
    assertThat(credential.pair()).isEmpty();
  }

  /**
   * Issue 16 point 7: an unreadable key is a broken pair, replaced by the next renewal with a new
   * key.
   */
  @Test
  void aCorruptKeyFileIsABrokenPairThatTheNextRenewalReplaces() throws Exception {
    EstCredential credential = issued(CsrBuilder.Kind.CLIENT_IDENTITY);
    Files.writeString(
        keys.path(ID), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    server.then(issuing(CsrBuilder.Kind.CLIENT_IDENTITY));

    assertThat(credential.current()).isEmpty();
    assertThat(credential.renew(attempt(false))).isInstanceOf(RenewalOutcome.Renewed.class);

    assertThat(credential.pair()).isPresent();
    assertThat(keys.exists(KeyRotation.temporaryKeyId(ID))).isFalse();
  }

  @Test
  void thereIsNoCurrentCertificateBeforeTheFirstIssuance() {
    assertThat(credential(CsrBuilder.Kind.CLIENT_IDENTITY).current()).isEmpty();
  }

  /** The key and certificate files of {@link #ID}, byte for byte (ISO-8859-1 keeps every byte). */
  private record OnDisk(String key, String certificate) {
    X509Certificate leaf() throws Exception {
      return Pem.certificates(certificate).get(0);
    }
  }

  private OnDisk onDisk() throws Exception {
    return new OnDisk(
        Files.readString(keys.path(ID), StandardCharsets.ISO_8859_1),
        Files.readString(store.certificates().path(ID), StandardCharsets.ISO_8859_1));
  }

  private EstCredential issued(CsrBuilder.Kind kind) {
    server.then(issuing(kind));
    EstCredential credential = credential(kind);
    assertThat(credential.renew(attempt(true)))
        .as("the first issuance")
        .isInstanceOf(RenewalOutcome.Renewed.class);
    return credential;
  }

  private EstCredential credential(CsrBuilder.Kind kind) {
    return credential(kind, null);
  }

  /** A credential that follows root key updates, as the agent's are: {@code cacerts} first. */
  private EstCredential followingRootUpdates(CsrBuilder.Kind kind) throws Exception {
    return credential(kind, TrustStore.open(dir, List.of(ca.certificate())));
  }

  /**
   * @param trust the trusted roots whose updates the credential follows, or null for none
   */
  private EstCredential credential(CsrBuilder.Kind kind, TrustStore trust) {
    return new EstCredential(
        new EstCredential.Request(ID, CN, kind, server.base(ID)),
        store,
        est,
        now -> ANONYMOUS,
        state,
        Clock.systemUTC(),
        trust);
  }

  private byte[] writeCertificateByHand(X509Certificate cert) throws Exception {
    byte[] pem = Pem.encode(cert).getBytes(StandardCharsets.US_ASCII);
    Path file = store.certificates().path(ID);
    Files.createDirectories(file.getParent()); // a person may write it before the agent ever did
    Files.write(file, pem);
    return pem;
  }

  /** Answers with a certificate of {@code kind} for the CSR's key, as a good EST server does. */
  private static Answer issuing(CsrBuilder.Kind kind) {
    return ScriptedEstServer.enrolling(spki -> certificateFor(kind, spki));
  }

  private static X509Certificate certificateFor(CsrBuilder.Kind kind, SubjectPublicKeyInfo spki) {
    return kind == CsrBuilder.Kind.EDGE_CA ? ca.edgeCa(CN, spki) : ca.client(CN, spki);
  }

  private static RenewalAttempt attempt(boolean rotateKey) {
    return new RenewalAttempt(ID, Optional.empty(), rotateKey, false, 1, Instant.now());
  }
}
