package dev.estuary.server.it;

import java.nio.file.Path;

/**
 * The seed's "Create the IDevID" commands (../shared/seed/iot-edge-est-blog.txt), word for word,
 * except: the GlobalSign host is replaced by the quickstart's, the secret by the quickstart factory
 * secret, and curl gets {@code --cacert <root_ca>} (the quickstart root is not in the system trust
 * store).
 */
public final class SeedFlow {
  private SeedFlow() {}

  /** Seed step 2: retrieve the root CA with curl and convert it to PEM with openssl. */
  static String cacerts(String hostPort, Path rootCa) {
    return "curl --cacert "
        + rootCa
        + " https://"
        + hostPort
        + "/.well-known/est/cacerts| openssl base64 -d | openssl pkcs7 -inform DER -outform PEM -print_certs"
        + " | openssl x509 -out globalsign-root.cert.pem";
  }

  /** Seed step 3: key and CSR. */
  static final String REQ =
      "openssl req -nodes -new -subj /CN=IDevID -sha256 -keyout IDevID.key.pem -out IDevID.csr";

  /** Seed step 4: simpleenroll with the factory secret. */
  static String enroll(String hostPort, Path rootCa, String secret) {
    return "curl --cacert "
        + rootCa
        + " -X POST --data-binary \"@IDevID.csr\" -H \"Content-Transfer-Encoding:base64\" -H \"Secret-Value: "
        + secret
        + "\" -H \"Content-Type:application/pkcs10\" https://"
        + hostPort
        + "/.well-known/est/simpleenroll | openssl base64 -d | openssl pkcs7 -inform DER -outform PEM -print_certs"
        + " | openssl x509 -out IDevID.cert.pem";
  }

  /** host:port of the quickstart's est_url ("localhost:PORT"). */
  static String hostPort(String estUrl) {
    String rest = estUrl.substring("https://".length());
    return rest.substring(0, rest.indexOf('/'));
  }

  /** Runs the three commands in {@code work}; leaves globalsign-root.cert.pem, IDevID.*. */
  public static void run(Path work, String estUrl, Path rootCa, String secret) {
    String host = hostPort(estUrl);
    Shell.ok(work, cacerts(host, rootCa));
    Shell.ok(work, REQ);
    Shell.ok(work, enroll(host, rootCa, secret));
  }
}
