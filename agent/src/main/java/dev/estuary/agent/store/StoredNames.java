package dev.estuary.agent.store;

import dev.estuary.pki.Thumbprints;
import java.nio.charset.StandardCharsets;

/**
 * File names for credential ids, as the Azure identity service's keyd and certd make them: the id's
 * ASCII letters and digits, a dash, and the hex SHA-256 of the id ({@code device-id} becomes {@code
 * deviceid-<64 hex>}), so any id maps to a safe, distinct name.
 */
public final class StoredNames {
  private StoredNames() {}

  /** {@code <alnum(id)>-<sha256hex(id)>}, without extension. */
  public static String of(String id) {
    if (id.isEmpty()) {
      throw new IllegalArgumentException("an empty id has no file name");
    }
    StringBuilder name = new StringBuilder(id.length() + 65);
    id.chars()
        .filter(c -> c < 128 && Character.isLetterOrDigit(c))
        .forEach(c -> name.append((char) c));
    return name.append('-')
        .append(Thumbprints.sha256(id.getBytes(StandardCharsets.UTF_8)))
        .toString();
  }
}
