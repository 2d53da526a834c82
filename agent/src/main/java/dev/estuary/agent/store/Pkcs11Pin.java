package dev.estuary.agent.store;

import dev.estuary.agent.config.Pkcs11Uri;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The user PIN a {@code pkcs11:} URI carries (RFC 7512): {@code pin-value=…}, or {@code
 * pin-source=…} naming a file ({@code file:///path} or an absolute path) whose content, without a
 * trailing newline, is the PIN. Never logged, never shown.
 */
final class Pkcs11Pin {
  private Pkcs11Pin() {}

  /** The PIN, if the URI gives one. */
  static Optional<char[]> of(Pkcs11Uri uri) throws IOException {
    Optional<byte[]> value = uri.decoded("pin-value");
    if (value.isPresent()) {
      return Optional.of(chars(value.get()));
    }
    Optional<byte[]> source = uri.decoded("pin-source");
    if (source.isEmpty()) {
      return Optional.empty();
    }
    String where = new String(source.get(), StandardCharsets.UTF_8);
    Path file = where.startsWith("file:") ? Path.of(URI.create(where)) : Path.of(where);
    if (!file.isAbsolute()) {
      throw new IOException("pin-source '" + where + "' is not a file:/// URI or an absolute path");
    }
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IOException(
          "cannot read the PIN file " + file + " (pin-source): " + e.getMessage(), e);
    }
    int end = content.length;
    while (end > 0 && (content[end - 1] == '\n' || content[end - 1] == '\r')) {
      end--;
    }
    char[] pin = chars(Arrays.copyOf(content, end));
    Arrays.fill(content, (byte) 0);
    return Optional.of(pin);
  }

  private static char[] chars(byte[] utf8) {
    CharBuffer decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(utf8));
    char[] pin = Arrays.copyOf(decoded.array(), decoded.limit());
    Arrays.fill(decoded.array(), '\0');
    return pin;
  }
}
