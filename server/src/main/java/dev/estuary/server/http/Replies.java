package dev.estuary.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
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
}
