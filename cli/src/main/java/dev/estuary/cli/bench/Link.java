package dev.estuary.cli.bench;

import javax.net.ssl.SSLContext;

/**
 * One client identity talking to one server: opens its connection when it needs one, and keeps it
 * alive or closes it after every request (a full handshake each, or with {@code resume} a resumed
 * TLS session each).
 */
final class Link {
  private final SSLContext tls;
  private final String host;
  private final int port;
  private final boolean newConnection;
  private final boolean resume;
  private HttpsConnection connection;

  Link(SSLContext tls, String host, int port, boolean newConnection, boolean resume) {
    this.tls = tls;
    this.host = host;
    this.port = port;
    this.newConnection = newConnection;
    this.resume = resume;
  }

  @FunctionalInterface
  interface Exchange {
    HttpsConnection.Response on(HttpsConnection c) throws Exception;
  }

  HttpsConnection.Response once(Exchange exchange) throws Exception {
    if (connection == null) {
      connection = new HttpsConnection(tls, host, port, 30_000);
    }
    try {
      HttpsConnection.Response r = exchange.on(connection);
      if (newConnection || r.close()) {
        close();
      }
      return r;
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  void close() {
    if (connection != null) {
      if (!resume) {
        connection.forgetSession();
      }
      connection.close();
      connection = null;
    }
  }
}
