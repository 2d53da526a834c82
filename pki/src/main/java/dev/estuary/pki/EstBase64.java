package dev.estuary.pki;

import java.util.Arrays;
import java.util.Base64;

/**
 * The base64 that EST bodies travel in (RFC 7030, RFC 8951): decoding accepts every form clients
 * send (64-column lines with LF or CRLF, one long line, a PEM block); encoding writes 64-column
 * lines with LF, which every client and {@code openssl base64 -d} read.
 */
public final class EstBase64 {
  private static final Base64.Encoder MIME64 = Base64.getMimeEncoder(64, new byte[] {'\n'});

  private EstBase64() {}

  /**
   * Decodes an EST request body. PEM armour lines ({@code -----BEGIN ...-----}) and all white space
   * are ignored.
   *
   * @throws PkiException naming what is wrong when the body is empty or not base64
   */
  public static byte[] decode(byte[] body) throws PkiException {
    // One pass over the bytes (ISO-8859-1, so a byte is a char): lines end at CRLF, LF or CR.
    byte[] b64 = new byte[body.length];
    int length = 0;
    int line = 1;
    for (int start = 0; start < body.length; line++) {
      int end = start;
      while (end < body.length && body[end] != '\n' && body[end] != '\r') {
        end++;
      }
      if (!armour(body, start, end)) {
        for (int i = start; i < end; i++) {
          char c = (char) (body[i] & 0xff);
          if (Character.isWhitespace(c)) {
            continue;
          }
          if (!isBase64(c)) {
            throw new PkiException(
                "the request body is not base64: unexpected character '"
                    + printable(c)
                    + "' on line "
                    + line
                    + ", column "
                    + (i - start + 1)
                    + " (EST bodies are base64 of DER, RFC 7030 / RFC 8951)");
          }
          b64[length++] = (byte) c;
        }
      }
      start =
          end < body.length && body[end] == '\r' && end + 1 < body.length && body[end + 1] == '\n'
              ? end + 2
              : end + 1;
    }
    if (length == 0) {
      throw new PkiException("the request body is empty; expected a base64-encoded PKCS#10 CSR");
    }
    try {
      return Base64.getDecoder().decode(Arrays.copyOf(b64, length));
    } catch (IllegalArgumentException e) {
      throw new PkiException("the request body is not valid base64: " + e.getMessage());
    }
  }

  /** A PEM armour line: "-----" after any white space. */
  private static boolean armour(byte[] body, int start, int end) {
    int i = start;
    while (i < end && Character.isWhitespace((char) (body[i] & 0xff))) {
      i++;
    }
    if (end - i < 5) {
      return false;
    }
    for (int k = i; k < i + 5; k++) {
      if (body[k] != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isBase64(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '+'
        || c == '/'
        || c == '=';
  }

  /** Encodes DER as base64 in 64-column lines, each ended by LF. */
  public static byte[] encode(byte[] der) {
    byte[] lines = MIME64.encode(der);
    byte[] out = new byte[lines.length + 1];
    System.arraycopy(lines, 0, out, 0, lines.length);
    out[lines.length] = '\n';
    return out;
  }

  private static String printable(char c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
  }
}
