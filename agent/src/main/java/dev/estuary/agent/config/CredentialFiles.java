package dev.estuary.agent.config;

import dev.estuary.config.Problems;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the URIs of certificates ({@code file:///} only) and private keys ({@code file:///} or
 * {@code pkcs11:}), and the files they name: present, a regular file, readable, and for a key not
 * open to others. File URIs come back in one form, {@code file:///absolute/path}, whatever the
 * spelling ({@code file://localhost/…}).
 */
final class CredentialFiles {
  private CredentialFiles() {}

  /** A certificate file: a {@code file:///} URI of a readable regular file. */
  static Optional<URI> cert(String path, String text, Problems problems) {
    if (text.regionMatches(true, 0, "pkcs11:", 0, 7)) {
      problems.error(
          path,
          "'"
              + Pkcs11Uri.redact(text)
              + "' is not a file:/// URI (certificates are read from files)");
      return Optional.empty();
    }
    return fileUri(path, text, problems)
        .filter(p -> readableFile(path, text, p, problems))
        .map(Path::toUri);
  }

  /**
   * A private key: a {@code file:///} URI of a readable regular file that others cannot access, or
   * a {@code pkcs11:} URI naming a key, which needs a PKCS#11 module ({@code [aziot_keys]
   * pkcs11_lib_path}, or {@code module-path} in the URI).
   */
  static Optional<URI> key(String path, String text, boolean pkcs11Module, Problems problems) {
    if (text.regionMatches(true, 0, "pkcs11:", 0, 7)) {
      return pkcs11Key(path, text, pkcs11Module, problems);
    }
    Optional<Path> file = fileUri(path, text, problems);
    if (file.isEmpty() || !readableFile(path, text, file.get(), problems)) {
      return Optional.empty();
    }
    Optional<Set<PosixFilePermission>> perms = permissions(file.get());
    if (perms.isPresent()) {
      Set<PosixFilePermission> p = perms.get();
      String access =
          p.contains(PosixFilePermission.OTHERS_READ)
              ? "readable"
              : p.contains(PosixFilePermission.OTHERS_WRITE)
                  ? "writable"
                  : p.contains(PosixFilePermission.OTHERS_EXECUTE) ? "accessible" : null;
      if (access != null) {
        problems.error(
            path, text + " is " + access + " by others (mode " + octal(p) + "); make it 0600");
        return Optional.empty();
      }
    }
    return Optional.of(file.get().toUri());
  }

  private static Optional<URI> pkcs11Key(
      String path, String text, boolean pkcs11Module, Problems problems) {
    String shown = "'" + Pkcs11Uri.redact(text) + "'";
    Pkcs11Uri uri;
    try {
      uri = Pkcs11Uri.parse(text);
    } catch (IllegalArgumentException e) {
      problems.error(path, shown + " is not a valid pkcs11: URI: " + e.getMessage());
      return Optional.empty();
    }
    Optional<String> type = uri.attribute("type");
    if (type.isPresent() && !type.get().equals("private")) {
      problems.error(
          path, shown + " has type=" + type.get() + "; a key URI needs type=private or no type");
      return Optional.empty();
    }
    if (!uri.namesObject()) {
      problems.error(path, shown + " names no key; add object=<label> or id=<id>");
      return Optional.empty();
    }
    if (!pkcs11Module && uri.attribute("module-path").isEmpty()) {
      problems.error(
          path,
          shown
              + " needs a PKCS#11 module: set [aziot_keys] pkcs11_lib_path, or module-path in the URI");
      return Optional.empty();
    }
    try {
      return Optional.of(new URI(text));
    } catch (URISyntaxException e) {
      problems.error(path, shown + " is not a valid URI (" + e.getReason() + ")");
      return Optional.empty();
    }
  }

  /** A plain local path (not a URI) of a readable regular file, e.g. a PKCS#11 module. */
  static Optional<Path> plainFile(String path, String text, Problems problems) {
    if (text.regionMatches(true, 0, "file:", 0, 5)) {
      problems.error(path, "'" + text + "' is a URI; write the plain path");
      return Optional.empty();
    }
    Path p = Path.of(text);
    if (!p.isAbsolute()) {
      problems.error(path, "'" + text + "' is not an absolute path");
      return Optional.empty();
    }
    return readableFile(path, text, p, problems) ? Optional.of(p) : Optional.empty();
  }

  private static Optional<Path> fileUri(String path, String text, Problems problems) {
    if (text.startsWith("/")) {
      problems.error(path, "'" + text + "' is not a URI; write file://" + text);
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      String hint = text.contains(" ") ? "; write spaces as %20" : "";
      problems.error(
          path,
          "'"
              + text
              + "' is not a valid URI ("
              + e.getReason()
              + " at index "
              + e.getIndex()
              + ")"
              + hint);
      return Optional.empty();
    }
    if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("file")) {
      problems.error(path, "'" + text + "' is not a file:/// URI");
      return Optional.empty();
    }
    if (uri.isOpaque() || uri.getPath() == null || !uri.getPath().startsWith("/")) {
      problems.error(path, "'" + text + "' is not an absolute file:/// URI");
      return Optional.empty();
    }
    String authority = uri.getRawAuthority();
    if (authority != null && !authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
      problems.error(
          path,
          "'"
              + text
              + "' names the host '"
              + authority
              + "'; write file:///"
              + authority
              + uri.getRawPath());
      return Optional.empty();
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      problems.error(path, "'" + text + "' must not have a query or fragment");
      return Optional.empty();
    }
    return Optional.of(Path.of(uri.getPath()));
  }

  private static boolean readableFile(String path, String shown, Path file, Problems problems) {
    if (Files.notExists(file)) {
      problems.error(path, shown + " does not exist");
      return false;
    }
    if (!Files.exists(file)) {
      problems.error(path, shown + " cannot be checked (a parent directory is not accessible)");
      return false;
    }
    if (Files.isDirectory(file)) {
      problems.error(path, shown + " is a directory, not a file");
      return false;
    }
    if (!Files.isRegularFile(file)) {
      problems.error(path, shown + " is not a regular file");
      return false;
    }
    if (!Files.isReadable(file)) {
      problems.error(path, shown + " cannot be read by this user (permission denied)");
      return false;
    }
    return true;
  }

  private static Optional<Set<PosixFilePermission>> permissions(Path file) {
    try {
      return Optional.of(Files.getPosixFilePermissions(file));
    } catch (UnsupportedOperationException | IOException e) {
      return Optional.empty();
    }
  }

  /** "0644" for rw-r--r--. */
  static String octal(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= 1 << (8 - p.ordinal());
    }
    return String.format("0%03o", mode);
  }
}
