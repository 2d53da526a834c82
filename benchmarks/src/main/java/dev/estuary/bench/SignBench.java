package dev.estuary.bench;

import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Serials;
import dev.estuary.pki.SignedCertificate;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
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
 * Certificate build + sign: {@link IssuingCa#issue} (the server's path: DER and fields, no parse)
 * and {@link IssuingCa#sign} (the same, then converted to an {@link X509Certificate}) of a
 * client-identity {@link IssueOrder} (subject, dNSName SAN, basicConstraints, keyUsage, EKU, SKI,
 * AKI), signed by an issuing CA with an EC P-256 or P-384 key, for subject keys of each type.
 * Orders are made beforehand; rotates through {@link Material#POOL} of them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class SignBench {

  @State(Scope.Benchmark)
  public static class Orders {
    /** The issuing CA's key (root and issuing CA alike): ec-p256 or ec-p384. */
    @Param({"ec-p256", "ec-p384"})
    public String caKey;

    /** The certified (subject) key: ec-p256, ec-p384 or rsa-2048. */
    @Param({"ec-p256", "ec-p384", "rsa-2048"})
    public String subjectKey;

    IssuingCa ca;
    IssueOrder[] orders;

    @Setup(Level.Trial)
    public void make() {
      ca = Material.issuingCa(caKey);
      KeyPair[] keys = Material.keys(subjectKey, Material.POOL);
      Serials serials = new Serials(Material.RANDOM);
      Instant now = Instant.now();
      orders = new IssueOrder[Material.POOL];
      for (int i = 0; i < orders.length; i++) {
        String name = Material.deviceName(i);
        orders[i] =
            Material.clientIdentityOrder(
                new X500Name("CN=" + name + ",O=Estuary Bench"),
                new GeneralNames(new GeneralName(GeneralName.dNSName, name + ".fleet.example")),
                SubjectPublicKeyInfo.getInstance(keys[i].getPublic().getEncoded()),
                serials,
                now);
      }
    }
  }

  @Benchmark
  public X509Certificate sign(Orders orders, Cursor cursor) {
    return orders.ca.sign(orders.orders[cursor.next()]);
  }

  @Benchmark
  public SignedCertificate issue(Orders orders, Cursor cursor) {
    return orders.ca.issue(orders.orders[cursor.next()]);
  }
}
