package dev.estuary.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes complete responses: status, headers, and a body with {@code Content-Length} (never
 * chunked: libest cannot read a chunked response).
 */
public final class Replies {
  private Replies() {}

  public static void send(
      Response response,
      Callback callback,
      int status,
      String contentType,
      byte[] body,
      HttpField... headers) {
    response.setStatus(status);
    var h = response.getHeaders();
    if (contentType != null) {
      h.put(HttpHeader.CONTENT_TYPE, contentType);
    }
    for (HttpField f : headers) {
      h.add(f);
    }
    h.put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /** A {@code text/plain} reason (RFC 8951) ending in a newline. */
  public static void text(
      Response response, Callback callback, int status, String reason, HttpField... headers) {
    byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
    send(response, callback, status, "text/plain; charset=utf-8", body, headers);
  }

  /**
   * Reads the request body, at most {@code limit + 1} bytes: a caller that gets more than {@code
   * limit} knows the body is too large. A body whose declared length is within the limit is read
   * into an array of exactly that size; {@link InputStream#readNBytes(int)} with the limit would
   * allocate a 16 KiB buffer for every request, then copy the body out of it (8 % of the bytes a
   * kept-alive enrollment allocated: docs/benchmarks.md). Not closed: closing a partly read stream
   * fails the request content, and {@link #drain} must still read the rest of an oversized body.
   */
  public static byte[] body(Request request, int limit) throws IOException {
    InputStream in = Request.asInputStream(request);
    long declared = request.getLength();
    return in.readNBytes(declared >= 0 && declared <= limit ? (int) declared : limit + 1);
  }

  /**
   * Reads and drops what is left of the request body before a refusal is written. A client that
   * writes its whole body before reading (java.net.http, hyper, Go; curl too, at times) otherwise
   * gets a connection reset instead of the answer, and a pooling client may reuse a connection the
   * server is about to drop. Past {@code limit} bytes (declared or read), or on a read error, the
   * answer says Connection: close instead.
   */
  public static void drain(Request request, Response response, long limit) {
    if (request.getLength() > limit) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      return;
    }
    try {
      InputStream in = Request.asInputStream(request); // not closed: closing fails the content
      byte[] buf = new byte[8192];
      long total = 0;
      for (int n; (n = in.read(buf)) >= 0; ) {
        total += n;
        if (total > limit) {
          response.getHeaders().put(HttpHeader.CONNECTION, "close");
          return;
        }
      }
    } catch (IOException e) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
  }
}
