package dev.estuary.server.it;

import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.PkiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** EST requests through a real {@code curl} process, as a device's shell script makes them. */
final class Curl {
  private Curl() {}

  /** What curl received. */
  record Reply(int status, String headers, byte[] body, Shell.Result run) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    List<X509Certificate> certificates() {
      if (status != 200) {
        throw new AssertionError(
            "expected 200 with certificates, got "
                + status
                + ": "
                + text()
                + "\n"
                + run.describe());
      }
      try {
        return CertsOnlyPkcs7.decode(EstBase64.decode(body));
      } catch (PkiException e) {
        throw new AssertionError(
            "not a base64 certs-only answer: " + e.getMessage() + "\n" + text(), e);
      }
    }

    X509Certificate leaf() {
      return certificates().getFirst();
    }

    @Override
    public String toString() {
      return "HTTP " + status + "\n" + headers + "\n" + text();
    }
  }

  /**
   * POSTs the CSR file (PEM or base64) to {@code url} as {@code application/pkcs10}, over mTLS with
   * {@code certPem}/{@code keyPem} when they are not null.
   */
  static Reply enroll(
      Path work, Path rootCa, String certPem, String keyPem, String csrFile, String url) {
    List<String> args = new ArrayList<>();
    if (certPem != null) {
      args.add("--cert " + certPem + " --key " + keyPem);
    }
    args.add("-X POST --data-binary @" + csrFile + " -H 'Content-Type: application/pkcs10'");
    return request(work, rootCa, String.join(" ", args), url);
  }

  /** A GET (e.g. cacerts). */
  static Reply get(Path work, Path rootCa, String url) {
    return request(work, rootCa, "", url);
  }

  /** Any request: {@code args} are extra curl arguments (method, body, headers). */
  static Reply request(Path work, Path rootCa, String args, String url) {
    int n = Shell.next();
    String headers = "curl-" + n + ".headers";
    String body = "curl-" + n + ".body";
    Shell.Result r =
        Shell.run(
            work,
            "curl -sS --max-time 20 --cacert "
                + rootCa
                + " "
                + args
                + " -D "
                + headers
                + " -o "
                + body
                + " -w '%{http_code}' '"
                + url
                + "'");
    if (!r.ok()) {
      throw new AssertionError("curl failed:\n" + r.describe());
    }
    try {
      return new Reply(
          Integer.parseInt(r.stdout().strip()),
          Files.readString(work.resolve(headers)),
          Files.readAllBytes(work.resolve(body)),
          r);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A new key (EC P-256) and CSR made by openssl: {@code <name>.key.pem}, {@code <name>.csr}. */
  static void csr(Path work, String name, String cn, String... addext) {
    StringBuilder cmd =
        new StringBuilder(
                "openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=")
            .append(cn)
            .append(" -keyout ")
            .append(name)
            .append(".key.pem -out ")
            .append(name)
            .append(".csr");
    for (String e : addext) {
      cmd.append(" -addext '").append(e).append("'");
    }
    Shell.ok(work, cmd.toString());
  }
}
