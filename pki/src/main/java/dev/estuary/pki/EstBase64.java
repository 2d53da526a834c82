package dev.estuary.pki;

import java.nio.charset.StandardCharsets;
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
    StringBuilder b64 = new StringBuilder(body.length);
    String text = new String(body, StandardCharsets.ISO_8859_1);
    String[] lines = text.split("\r\n|\n|\r");
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      if (line.strip().startsWith("-----")) {
        continue; // PEM armour
      }
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (Character.isWhitespace(c)) {
          continue;
        }
        boolean ok =
            (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || c == '+'
                || c == '/'
                || c == '=';
        if (!ok) {
          throw new PkiException(
              "the request body is not base64: unexpected character '"
                  + printable(c)
                  + "' on line "
                  + (n + 1)
                  + ", column "
                  + (i + 1)
                  + " (EST bodies are base64 of DER, RFC 7030 / RFC 8951)");
        }
        b64.append(c);
      }
    }
    if (b64.isEmpty()) {
      throw new PkiException("the request body is empty; expected a base64-encoded PKCS#10 CSR");
    }
    try {
      return Base64.getDecoder().decode(b64.toString());
    } catch (IllegalArgumentException e) {
      throw new PkiException("the request body is not valid base64: " + e.getMessage());
    }
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
