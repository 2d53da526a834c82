package dev.estuary.server.console;

/** A request the console refuses, with the status and the sentence the page shows. */
final class ConsoleRefusal extends Exception {
  private final int status;

  ConsoleRefusal(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static ConsoleRefusal notFound(String what) {
    return new ConsoleRefusal(404, what);
  }

  static ConsoleRefusal badRequest(String what) {
    return new ConsoleRefusal(400, what);
  }

  int status() {
    return status;
  }
}
