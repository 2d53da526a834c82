package dev.estuary.cli.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 connection over TLS, kept as small as a load generator needs: the bench controls
 * exactly when a connection (and so a full handshake) is made, which a pooling client hides.
 */
final class HttpsConnection implements AutoCloseable {
  private final SSLSocket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String hostHeader;

  /**
   * A response: status, content type and body.
   *
   * @param retryAfter the Retry-After header's seconds, -1 when absent (or a date)
   */
  record Response(int status, String contentType, byte[] body, boolean close, int retryAfter) {}

  HttpsConnection(SSLContext tls, String host, int port, int timeoutMillis) throws IOException {
    socket = (SSLSocket) tls.getSocketFactory().createSocket();
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(timeoutMillis);
    socket.connect(new InetSocketAddress(host, port), timeoutMillis);
    var params = socket.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(params);
    socket.startHandshake();
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = socket.getOutputStream();
    hostHeader = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** Invalidates the TLS session so that the next connection cannot resume it. */
  void forgetSession() {
    socket.getSession().invalidate();
  }

  Response get(String path, String... headers) throws IOException {
    return exchange("GET", path, null, null, headers);
  }

  Response post(String path, String contentType, byte[] body, String... headers)
      throws IOException {
    return exchange("POST", path, contentType, body, headers);
  }

  Response put(String path, String contentType, byte[] body, String... headers) throws IOException {
    return exchange("PUT", path, contentType, body, headers);
  }

  private Response exchange(
      String method, String path, String contentType, byte[] body, String... headers)
      throws IOException {
    StringBuilder req = new StringBuilder(256);
    req.append(method)
        .append(' ')
        .append(path)
        .append(" HTTP/1.1\r\nHost: ")
        .append(hostHeader)
        .append("\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    if (body != null) {
      req.append("Content-Type: ")
          .append(contentType)
          .append("\r\nContent-Length: ")
          .append(body.length)
          .append("\r\n");
    }
    req.append("\r\n");
    out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.write(body);
    }
    out.flush();
    return read();
  }

  private Response read() throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    String type = null;
    int retryAfter = -1;
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
        case "connection" -> close = value.equalsIgnoreCase("close");
        case "content-type" -> type = value;
        case "retry-after" -> retryAfter = value.matches("\\d{1,6}") ? Integer.parseInt(value) : -1;
        default -> {}
      }
    }
    byte[] body;
    if (chunked) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int n = Integer.parseInt(line().split(";")[0].trim(), 16);
          n > 0;
          n = Integer.parseInt(line().split(";")[0].trim(), 16)) {
        b.write(in.readNBytes(n));
        line();
      }
      line();
      body = b.toByteArray();
    } else if (length >= 0) {
      body = in.readNBytes((int) length);
      if (body.length != length) {
        throw new IOException(
            "connection closed after " + body.length + " of " + length + " body bytes");
      }
    } else {
      body = in.readAllBytes();
      close = true;
    }
    return new Response(code, type, body, close, retryAfter);
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder(64);
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int len = b.length();
        return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
      }
      b.append((char) c);
    }
    throw new IOException("connection closed by the server");
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing: nothing to do
    }
  }
}
