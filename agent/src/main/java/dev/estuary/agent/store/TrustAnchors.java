package dev.estuary.agent.store;

import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The roots the agent trusts for its servers: {@code trusted_certs} files, and the JDK's if asked.
 */
public final class TrustAnchors {
  private TrustAnchors() {}

  /**
   * Every certificate in the PEM files {@code uris} name, plus the JDK's trusted roots when {@code
   * system} is true.
   *
   * @throws IOException naming the file that cannot be read or holds no certificate
   */
  public static List<X509Certificate> load(List<URI> uris, boolean system) throws IOException {
    List<X509Certificate> anchors = new ArrayList<>();
    for (URI uri : uris) {
      Path file = Path.of(uri);
      try {
        anchors.addAll(Pem.certificates(Files.readString(file, StandardCharsets.US_ASCII)));
      } catch (PkiException e) {
        throw new IOException("trusted_certs: " + file + ": " + e.getMessage(), e);
      }
    }
    if (system) {
      anchors.addAll(systemRoots());
    }
    return List.copyOf(anchors);
  }

  private static List<X509Certificate> systemRoots() throws IOException {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      List<X509Certificate> roots = new ArrayList<>();
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          roots.addAll(Arrays.asList(x.getAcceptedIssuers()));
        }
      }
      return roots;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the system trust store: " + e.getMessage(), e);
    }
  }
}
