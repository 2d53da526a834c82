package dev.estuary.bench;

import dev.estuary.pki.Certificates;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.Csr;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.Serials;
import dev.estuary.pki.SignatureEngine;
import dev.estuary.pki.SignedCertificate;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.crypto.SignatureEngines;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole pki part of one enrollment, as the server's simpleenroll does it with no I/O, policy or
 * store: decode the base64 body, {@link Csr#parse} (structure + proof of possession), build the
 * client-identity {@link IssueOrder} (subject and SANs from the CSR, a fresh random serial, now),
 * sign with an EC P-256 issuing CA, the fields the server records (serial, subject, issuer,
 * validity, SHA-256, DER), then the certs-only PKCS#7 of leaf + issuing CA, base64-encoded. Its
 * rate is the most a server with this pki core can reach per core.
 *
 * <p>{@code path}: {@code issue} is the server's way ({@link IssuingCa#issue}, fields and DER from
 * the {@link SignedCertificate}); {@code x509} the way before it ({@link IssuingCa#sign}, fields
 * read back from the parsed {@link X509Certificate}), kept to compare the two side by side. {@code
 * engine}: the server's {@code [keys] signatures}, Bouncy Castle or Conscrypt (BoringSSL).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class EnrollmentPathBench {

  @State(Scope.Benchmark)
  public static class Server {
    /** The CSR's key type: ec-p256, ec-p384 or rsa-2048 (the CA is EC P-256 throughout). */
    @Param({"ec-p256", "ec-p384", "rsa-2048"})
    public String csrKey;

    /** issue: DER and fields without a parse (the server's path); x509: parsed, as before. */
    @Param({"issue", "x509"})
    public String path;

    /** Who verifies the CSR and signs ({@code [keys] signatures}): bouncycastle or conscrypt. */
    @Param({"bouncycastle", "conscrypt"})
    public String engine;

    SignatureEngine signatures;

    byte[][] bodies;
    IssuingCa ca;

    /** As the server makes it: one SecureRandom for all serials. */
    Serials serials = new Serials(new SecureRandom());

    @Setup(Level.Trial)
    public void make() throws PkiException {
      bodies = Material.csrBodies(csrKey);
      signatures = SignatureEngines.of(engine);
      IssuingCa made = Material.issuingCa("ec-p256");
      try {
        ca = signatures.issuingCa(made.name(), made.chain(), made.key());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
      enroll(this, 0); // the path must succeed, or we would measure the failure path
    }
  }

  @Benchmark
  public byte[] enroll(Server server, Cursor cursor) throws PkiException {
    return enroll(server, cursor.next());
  }

  static byte[] enroll(Server server, int i) throws PkiException {
    Csr csr = Csr.parse(EstBase64.decode(server.bodies[i]), null, server.signatures);
    IssueOrder order =
        Material.clientIdentityOrder(
            csr.subject(),
            csr.subjectAltNames(),
            csr.publicKeyInfo(),
            server.serials,
            Instant.now());
    if (server.path.equals("x509")) {
      X509Certificate cert = server.ca.sign(order);
      Fields fields =
          new Fields(
              cert.getSerialNumber(),
              cert.getSubjectX500Principal().getName(),
              cert.getIssuerX500Principal().getName(),
              cert.getNotBefore().toInstant(),
              cert.getNotAfter().toInstant(),
              Thumbprints.sha256(cert),
              Certificates.der(cert));
      return fields.keep(
          EstBase64.encode(CertsOnlyPkcs7.encode(List.of(cert, server.ca.certificate()))));
    }
    SignedCertificate cert = server.ca.issue(order);
    Fields fields =
        new Fields(
            cert.serial(),
            cert.subjectName(),
            cert.issuerName(),
            cert.notBefore(),
            cert.notAfter(),
            cert.sha256(),
            cert.der());
    return fields.keep(
        EstBase64.encode(CertsOnlyPkcs7.encode(cert, List.of(server.ca.certificate()))));
  }

  /** What the server's certificate record takes from the certificate. */
  private record Fields(
      BigInteger serial,
      String subject,
      String issuer,
      Instant notBefore,
      Instant notAfter,
      String sha256,
      byte[] der) {
    /** Returns {@code answer}; fails if a field is missing, so none of them is dead code. */
    byte[] keep(byte[] answer) {
      if (serial == null
          || subject == null
          || issuer == null
          || notBefore == null
          || notAfter == null
          || sha256 == null
          || der == null) {
        throw new IllegalStateException("a field is missing");
      }
      return answer;
    }
  }
}
