package dev.estuary.server.store;

/**
 * A fresh, empty database on one {@link Backend}, for one test; {@link #close()} disposes of it.
 */
interface TestDatabase extends AutoCloseable {

  String url();

  String user();

  String password();

  /** Opens (and migrates) it; may be called again after closing the previous {@link Database}. */
  default Database open() {
    return Database.open(url(), user(), password());
  }

  @Override
  void close();
}
