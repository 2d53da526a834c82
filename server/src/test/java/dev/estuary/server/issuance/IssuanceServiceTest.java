package dev.estuary.server.issuance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.Csr;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.KeyPolicy;
import dev.estuary.pki.Serials;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.auth.Caller;
import dev.estuary.server.auth.Principals;
import dev.estuary.server.policy.Denial;
import dev.estuary.server.policy.IssuancePolicy.Operation;
import dev.estuary.server.policy.Label;
import dev.estuary.server.policy.NamePolicy;
import dev.estuary.server.store.BindingStore;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.Database;
import dev.estuary.server.store.JdbiBindingStore;
import dev.estuary.server.store.JdbiCertificateStore;
import dev.estuary.server.store.NameBinding;
import dev.estuary.server.testing.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The issuance service's own duties around the policy: the name binding it records is the one the
 * certificate carries, races between two requests of one identity leave it one name, and a failed
 * issuance leaves no binding behind. Real H2 stores; a store decorator only stages the race.
 */
class IssuanceServiceTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Clock CLOCK = Clock.systemUTC();

  private Database db;
  private JdbiBindingStore bindings;
  private JdbiCertificateStore certificates;
  private IssuingCa ca;
  private Label label;
  private Caller device;

  @BeforeEach
  void storesAndALabelThatBindsNames() {
    db =
        Database.open("jdbc:h2:mem:issuance-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
    bindings = new JdbiBindingStore(db.jdbi());
    certificates = new JdbiCertificateStore(db.jdbi());
    Serials serials = new Serials(RANDOM);
    ca =
        IssuingCa.createRoot(
            "issuing",
            new X500Name("CN=Issuance Test CA"),
            KeyPairs.generate("ec-p256", RANDOM),
            Duration.ofDays(365),
            Instant.now().minus(Duration.ofDays(1)),
            serials);
    label =
        new Label(
            "devices",
            ca,
            CertificateProfile.clientIdentity(Duration.ofDays(7)),
            KeyPolicy.DEFAULT,
            List.of(),
            false,
            64,
            null,
            NamePolicy.DEFAULT,
            true,
            null);
    KeyPair idevidKey = TestPki.key("ec-p256");
    X509Certificate idevid =
        ca.sign(
            new IssueOrder(
                new X500Name("CN=factory-device"),
                null,
                SubjectPublicKeyInfo.getInstance(idevidKey.getPublic().getEncoded()),
                CertificateProfile.clientIdentity(Duration.ofDays(365)),
                serials.next(),
                Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(365))));
    device =
        new Caller(
            "mtls",
            Thumbprints.sha256(idevid),
            Principals.ofKey(idevid),
            List.of(idevid),
            null,
            null,
            null);
  }

  @AfterEach
  void close() {
    db.close();
  }

  private IssuanceService service(BindingStore b, CertificateStore c) {
    return new IssuanceService(c, b, new Serials(RANDOM), CLOCK, new SimpleMeterRegistry());
  }

  private static Csr csr(String subject) throws Exception {
    return Csr.parse(TestPki.csr(TestPki.key("ec-p256"), subject));
  }

  @Test
  void aFreeNameIsBoundToTheIdentityThatGetsIt() throws Exception {
    Issued issued =
        service(bindings, certificates).enroll(label, device, csr("CN=device-7"), Operation.ENROLL);

    assertThat(issued.certificate().subject()).isEqualTo(new X500Name("CN=device-7"));
    assertThat(bindings.find("devices", "device-7"))
        .map(NameBinding::principal)
        .contains(device.principal());
  }

  @Test
  void anIdentityThatTakesTwoFreeNamesAtOnceKeepsOnlyOne() throws Exception {
    // The other request of the same identity binds device-8 after this request's policy saw the
    // identity unbound and before it binds device-7.
    BindingStore racing =
        new Delegating(bindings) {
          @Override
          public NameBinding bind(NameBinding b) {
            bindings.bind(
                new NameBinding(
                    b.label(), "device-8", b.principal(), "the other request", b.createdAt()));
            return super.bind(b);
          }
        };

    assertThatThrownBy(
            () ->
                service(racing, certificates)
                    .enroll(label, device, csr("CN=device-7"), Operation.ENROLL))
        .isInstanceOfSatisfying(
            Denial.class, d -> assertThat(d.reason()).isEqualTo(Denial.Reason.IDENTITY_BOUND))
        .hasMessageContaining("'device-8'");
    assertThat(bindings.findByPrincipal("devices", device.principal()))
        .extracting(NameBinding::name)
        .containsExactly("device-8");
    assertThat(certificates.count()).isZero();
  }

  @Test
  void aNameBoundForACertificateThatWasNotRecordedIsFreeAgain() throws Exception {
    CertificateStore down =
        new CertificateStore() {
          @Override
          public void record(CertificateRecord cert, String secretId) {
            throw new IllegalStateException("the database went away");
          }

          @Override
          public Optional<CertificateRecord> findBySerial(BigInteger serial) {
            return certificates.findBySerial(serial);
          }

          @Override
          public List<CertificateRecord> findBySubject(String subject, int limit) {
            return certificates.findBySubject(subject, limit);
          }

          @Override
          public boolean revoke(BigInteger serial, String reason, Instant at) {
            return certificates.revoke(serial, reason, at);
          }

          @Override
          public long count() {
            return certificates.count();
          }
        };

    assertThatThrownBy(
            () ->
                service(bindings, down).enroll(label, device, csr("CN=device-7"), Operation.ENROLL))
        .hasMessageContaining("the database went away");
    assertThat(bindings.find("devices", "device-7")).isEmpty();
    // and the identity can take it once the database is back
    service(bindings, certificates).enroll(label, device, csr("CN=device-7"), Operation.ENROLL);
    assertThat(bindings.find("devices", "device-7")).isPresent();
  }

  /** A binding store that passes everything to the real one. */
  private static class Delegating implements BindingStore {
    private final BindingStore real;

    Delegating(BindingStore real) {
      this.real = real;
    }

    @Override
    public NameBinding bind(NameBinding binding) {
      return real.bind(binding);
    }

    @Override
    public Optional<NameBinding> find(String label, String name) {
      return real.find(label, name);
    }

    @Override
    public List<NameBinding> findByPrincipal(String label, String principal) {
      return real.findByPrincipal(label, principal);
    }

    @Override
    public List<NameBinding> list(String label, int limit) {
      return real.list(label, limit);
    }

    @Override
    public boolean release(String label, String name) {
      return real.release(label, name);
    }
  }
}
