package dev.estuary.bench;

import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Serials;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The enrollment response body: {@link CertsOnlyPkcs7#encode} of the 2-certificate chain the server
 * returns (the new EC P-256 leaf, then the EC P-256 issuing CA; the root is left out), then {@link
 * EstBase64#encode}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class Pkcs7Bench {

  @State(Scope.Benchmark)
  public static class Chain {
    List<X509Certificate> chain;

    @Setup(Level.Trial)
    public void make() {
      IssuingCa ca = Material.issuingCa("ec-p256");
      String name = Material.deviceName(1);
      X509Certificate leaf =
          ca.sign(
              Material.clientIdentityOrder(
                  new X500Name("CN=" + name + ",O=Estuary Bench"),
                  new GeneralNames(new GeneralName(GeneralName.dNSName, name + ".fleet.example")),
                  SubjectPublicKeyInfo.getInstance(
                      Material.keys("ec-p256", 1)[0].getPublic().getEncoded()),
                  new Serials(Material.RANDOM),
                  Instant.now()));
      chain = List.of(leaf, ca.certificate());
    }
  }

  @Benchmark
  public byte[] encodeAndBase64(Chain chain) {
    return EstBase64.encode(CertsOnlyPkcs7.encode(chain.chain));
  }
}
