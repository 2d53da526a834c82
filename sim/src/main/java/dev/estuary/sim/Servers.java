package dev.estuary.sim;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The servers the fleet runs against: managed replicas ({@link Cluster}) or one given by URL. */
interface Servers extends AutoCloseable {
  /** What devices need: the root, the bootstrap secret, the ID scope. */
  record Setup(Path rootCa, String factorySecret, String idScope) {}

  Setup setup();

  /** Where the proxy sends connections (the live replicas' device ports). */
  List<InetSocketAddress> backends();

  /** The admin API. */
  Admin admin();

  /** Every CA certificate the servers' {@code cacerts} serve now (roots, issuing CAs, links). */
  List<X509Certificate> caCertificates() throws IOException;

  /** The scenario's server-side events; the URL mode supports none of them. */
  default void killReplica(int index, Duration restartAfter) throws Exception {
    throw unsupported("kill-replica");
  }

  default void dbStop() throws Exception {
    throw unsupported("db-stop");
  }

  default void dbStart() throws Exception {
    throw unsupported("db-start");
  }

  /**
   * Runs {@code estuary server ca ARGS --data-dir …}; the replicas take the change up by themselves
   * (no restart) and this returns when each that was serving serves it.
   */
  default void caCommand(List<String> args) throws Exception {
    throw unsupported(String.join(" ", args));
  }

  /**
   * The certificates the database holds, by SHA-256 (lower-case hex), for those a device received.
   */
  Set<String> inDatabase(Collection<Stats.Received> received) throws Exception;

  /** The registrations the service holds: registration id to the SHA-256 of its certificate. */
  Map<String, String> registrations(Collection<String> ids) throws Exception;

  /** Serial numbers (hex) the database holds more than once. */
  default List<String> duplicateSerialsInDatabase() throws Exception {
    return List.of();
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(
        what + " needs the managed mode (servers started by the simulator), not --url");
  }

  @Override
  void close() throws Exception;
}
