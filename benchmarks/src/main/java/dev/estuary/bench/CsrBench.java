package dev.estuary.bench;

import dev.estuary.pki.Csr;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.PkiException;
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
 * What the server does with a simpleenroll body before policy: base64-decode it ({@link
 * EstBase64#decode}) and {@link Csr#parse} it, which checks the structure and verifies the
 * request's signature with its own key (proof of possession). Rotates through {@link Material#POOL}
 * CSRs from distinct keys, each key object built afresh from the request as for a new device.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CsrBench {

  @State(Scope.Benchmark)
  public static class Requests {
    /** The CSR's key type: ec-p256, ec-p384 or rsa-2048. */
    @Param({"ec-p256", "ec-p384", "rsa-2048"})
    public String keyType;

    byte[][] bodies;

    @Setup(Level.Trial)
    public void make() throws PkiException {
      bodies = Material.csrBodies(keyType);
      Csr.parse(
          EstBase64.decode(bodies[0])); // they must verify, or we would measure the failure path
    }
  }

  @Benchmark
  public Csr decodeAndParse(Requests requests, Cursor cursor) throws PkiException {
    return Csr.parse(EstBase64.decode(requests.bodies[cursor.next()]));
  }
}
