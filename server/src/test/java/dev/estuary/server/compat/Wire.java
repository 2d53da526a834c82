package dev.estuary.server.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Raw HTTP/1.1 over TLS on loopback, for tests that must control every byte a client sends and see
 * every byte the server answers (header names as written, status line, framing). Also the decoding
 * steps real clients apply to EST answers.
 */
final class Wire {
  static final int CONNECT_TIMEOUT_MS = 10_000;
  static final int READ_TIMEOUT_MS = 30_000;
  static final String TLS12 = "TLSv1.2";
  static final String TLS13 = "TLSv1.3";

  private Wire() {}

  /** One header line as received: the name exactly as the server wrote it, and the value. */
  record Header(String name, String value) {}

  /**
   * A response as received.
   *
   * @param protocol the TLS protocol negotiated for the connection
   * @param statusLine the first line without CRLF, e.g. "HTTP/1.1 200 OK"
   * @param headers in the order received
   * @param body the body as framed (de-chunked when it was chunked)
   */
  record Response(
      String protocol,
      String statusLine,
      int status,
      List<Header> headers,
      byte[] body,
      boolean readToEof) {
    /** Value of the first header named {@code name} (case-insensitively, as HTTP says), or null. */
    String header(String name) {
      return headers.stream()
          .filter(h -> h.name().equalsIgnoreCase(name))
          .map(Header::value)
          .findFirst()
          .orElse(null);
    }

    List<String> headers(String name) {
      return headers.stream()
          .filter(h -> h.name().equalsIgnoreCase(name))
          .map(Header::value)
          .toList();
    }

    /**
     * Value of the first header whose name is exactly {@code name} (libest compares
     * case-sensitively).
     */
    String headerExactName(String name) {
      return headers.stream()
          .filter(h -> h.name().equals(name))
          .map(Header::value)
          .findFirst()
          .orElse(null);
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    boolean chunked() {
      String te = header("Transfer-Encoding");
      return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
    }
  }

  /**
   * Opens a new TLS connection to 127.0.0.1:{@code port} (SNI and host name check: localhost, as
   * clients configured with https://localhost:PORT do), offering only {@code protocols}, writes
   * {@code request} as is, and reads one response. When the request carries "Connection: close" the
   * response is read to EOF (as libest does) and the framing is checked against that.
   */
  static Response exchange(SSLContext tls, int port, List<String> protocols, byte[] request)
      throws IOException {
    return exchange(tls, "localhost", port, protocols, request);
  }

  /**
   * As {@link #exchange(SSLContext, int, List, byte[])}, with {@code tlsHost} as the name the
   * client checks the server certificate against (and sends as SNI unless it is an IP literal).
   */
  static Response exchange(
      SSLContext tls, String tlsHost, int port, List<String> protocols, byte[] request)
      throws IOException {
    Socket plain = new Socket();
    plain.connect(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MS);
    plain.setSoTimeout(READ_TIMEOUT_MS);
    try (SSLSocket s =
        (SSLSocket) tls.getSocketFactory().createSocket(plain, tlsHost, port, true)) {
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      p.setProtocols(protocols.toArray(String[]::new));
      s.setSSLParameters(p);
      s.startHandshake();
      String protocol = s.getSession().getProtocol();
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      boolean close =
          new String(request, StandardCharsets.ISO_8859_1)
              .toLowerCase(Locale.ROOT)
              .contains("\r\nconnection: close\r\n");
      return read(s.getInputStream(), protocol, close);
    }
  }

  private static Response read(InputStream in, String protocol, boolean toEof) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException(
            "connection closed inside the response head: "
                + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(b);
      state =
          switch (state) {
            case 0, 2 -> b == '\r' ? state + 1 : 0;
            case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
            default -> throw new IllegalStateException();
          };
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    String[] lines = text.substring(0, text.length() - 4).split("\r\n", -1);
    String statusLine = lines[0];
    int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
    List<Header> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(new Header(lines[i].substring(0, colon), lines[i].substring(colon + 1).strip()));
    }
    Response shell = new Response(protocol, statusLine, status, headers, new byte[0], toEof);
    byte[] body;
    if (shell.chunked()) {
      body = dechunk(in);
    } else if (shell.header("Content-Length") != null) {
      int length = Integer.parseInt(shell.header("Content-Length"));
      body = in.readNBytes(length);
      if (body.length != length) {
        throw new IOException("body shorter than Content-Length " + length + ": " + body.length);
      }
      if (toEof) {
        byte[] rest = in.readAllBytes(); // the server must close after Connection: close
        if (rest.length > 0) {
          throw new IOException(rest.length + " bytes after the Content-Length body");
        }
      }
    } else if (status == 204 || status == 304) {
      body = new byte[0];
    } else {
      body = in.readAllBytes();
    }
    return new Response(protocol, statusLine, status, headers, body, toEof);
  }

  private static byte[] dechunk(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line(in);
      int size = Integer.parseInt(sizeLine.split(";", 2)[0].strip(), 16);
      if (size == 0) {
        while (!line(in).isEmpty()) {
          // trailers
        }
        return out.toByteArray();
      }
      out.write(in.readNBytes(size));
      line(in);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  /** Base64 in 64-column lines, each (the last included) ended by "\n". */
  static byte[] base64Lines(byte[] der) {
    String b64 = Base64.getEncoder().encodeToString(der);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < b64.length(); i += 64) {
      out.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static byte[] concat(String head, byte[] body) {
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[h.length + body.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(body, 0, out, h.length, body.length);
    return out;
  }

  /** Whitespace stripped, base64-decoded (the way the Azure identity service reads a body). */
  static byte[] stripAndDecode(byte[] body) {
    String s = new String(body, StandardCharsets.US_ASCII).replaceAll("\\s", "");
    return Base64.getDecoder().decode(s);
  }

  /**
   * The certificates of a DER ContentInfo(SignedData), in their encoded order (OpenSSL's PKCS7
   * certificate stack and libest keep that order; clients take the first as the leaf).
   */
  static List<X509Certificate> certsInOrder(byte[] der) throws Exception {
    ContentInfo ci = ContentInfo.getInstance(ASN1Primitive.fromByteArray(der));
    assertThat(ci.getContentType()).isEqualTo(CMSObjectIdentifiers.signedData);
    SignedData sd = SignedData.getInstance(ci.getContent());
    assertThat(sd.getSignerInfos().size()).as("certs-only: no signers").isZero();
    assertThat(sd.getEncapContentInfo().getContent()).as("certs-only: no content").isNull();
    ASN1Set set = sd.getCertificates();
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    for (ASN1Encodable e : set) {
      out.add(
          (X509Certificate)
              cf.generateCertificate(new ByteArrayInputStream(e.toASN1Primitive().getEncoded())));
    }
    return out;
  }

  /**
   * Throws unless {@code chain} (leaf first, then issuers; root and repeats tolerated, as in the
   * identity service's stored file) validates to {@code root}.
   */
  static void assertChainsTo(List<X509Certificate> chain, X509Certificate root) throws Exception {
    List<X509Certificate> path = chain.stream().filter(c -> !c.equals(root)).distinct().toList();
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(path), params);
  }

  static String cn(X509Certificate cert) {
    return new X500Name(cert.getSubjectX500Principal().getName())
        .getRDNs(BCStyle.CN)[0]
        .getFirst()
        .getValue()
        .toString();
  }

  /**
   * A TLS context that presents exactly {@code chain} (in that order, repeats and root included) as
   * the client certificate chain, as OpenSSL does with a certificate file whose first certificate
   * is the leaf and the rest are added as extra chain certificates. (A PKCS#12 key entry would
   * refuse such a chain.)
   */
  static SSLContext tlsPresenting(
      X509Certificate root, List<X509Certificate> chain, PrivateKey key) {
    try {
      X509ExtendedKeyManager km =
          new X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
              return new String[] {"client"};
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
              return "client";
            }

            @Override
            public String chooseEngineClientAlias(
                String[] keyType, Principal[] issuers, SSLEngine engine) {
              return "client";
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
              return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
              return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
              return chain.toArray(X509Certificate[]::new);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
              return key;
            }
          };
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("root", root);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {km}, tmf.getTrustManagers(), null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A key and the certificate chain (leaf first, without the root) issued for it. */
  record Enrolled(KeyPair key, List<X509Certificate> chain) {
    X509Certificate leaf() {
      return chain.getFirst();
    }

    SSLContext tls(X509Certificate root) {
      return TestPki.tls(root, chain, key.getPrivate());
    }
  }

  /**
   * Enrolls at {@code path} (e.g. "/.well-known/est/idevid/simpleenroll") with the given extra
   * request header lines (each ending in CRLF) and client TLS context; asserts a 200.
   */
  static Enrolled enroll(
      QuickstartServer server,
      SSLContext tls,
      String path,
      String extraHeaders,
      String keyType,
      String subject)
      throws Exception {
    KeyPair key = TestPki.key(keyType);
    byte[] body = base64Lines(TestPki.csr(key, subject));
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\n"
            + "Host: localhost:"
            + server.estPort()
            + "\r\n"
            + "Content-Type: application/pkcs10\r\n"
            + extraHeaders
            + "Content-Length: "
            + body.length
            + "\r\n"
            + "\r\n";
    Response r = exchange(tls, server.estPort(), List.of(TLS13, TLS12), concat(head, body));
    assertThat(r.status()).as("enroll at %s: %s", path, r.bodyText()).isEqualTo(200);
    List<X509Certificate> answer = certsInOrder(stripAndDecode(r.body()));
    assertThat(answer)
        .as("an enroll answer holds only the issued certificate (RFC 7030 §4.2.3)")
        .hasSize(1);
    // The chain comes from cacerts, as a device builds it: the label's CAs below the root, issuer
    // first.
    String cacerts = path.substring(0, path.lastIndexOf('/') + 1) + "cacerts";
    String get =
        "GET "
            + cacerts
            + " HTTP/1.1\r\nHost: localhost:"
            + server.estPort()
            + "\r\nConnection: close\r\n\r\n";
    Response c =
        exchange(
            TestPki.tls(server.root(), null, null),
            server.estPort(),
            List.of(TLS13, TLS12),
            get.getBytes(StandardCharsets.US_ASCII));
    assertThat(c.status()).as("cacerts at %s: %s", cacerts, c.bodyText()).isEqualTo(200);
    List<X509Certificate> chain = new ArrayList<>(answer);
    X509Certificate root = server.root();
    chain.addAll(
        certsInOrder(stripAndDecode(c.body())).stream()
            .filter(ca -> !ca.equals(root))
            .toList()
            .reversed());
    return new Enrolled(key, chain);
  }

  /** An IDevID from the idevid label, authenticated with the factory secret. */
  static Enrolled idevid(QuickstartServer server, String cn) throws Exception {
    return enroll(
        server,
        TestPki.tls(server.root(), null, null),
        "/.well-known/est/idevid/simpleenroll",
        "Secret-Value: " + server.factorySecret() + "\r\n",
        "ec-p256",
        "CN=" + cn);
  }

  /** A device-id certificate, enrolled over mTLS with {@code idevid}. */
  static Enrolled deviceId(QuickstartServer server, Enrolled idevid, String cn) throws Exception {
    return enroll(
        server,
        idevid.tls(server.root()),
        "/.well-known/est/device-id/simpleenroll",
        "",
        "ec-p256",
        "CN=" + cn);
  }
}
