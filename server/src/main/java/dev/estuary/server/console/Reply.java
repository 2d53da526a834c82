package dev.estuary.server.console;

/** What a console page answers: a page, a redirect after a change, or a file to download. */
sealed interface Reply {
  /** An HTML page with the layout around {@code body}. */
  record Page(int status, String title, String nav, Html body) implements Reply {
    Page(String title, String nav, Html body) {
      this(200, title, nav, body);
    }
  }

  /** 303 See Other to {@code location} (a path below /console/): after every change. */
  record Redirect(String location) implements Reply {}

  /** A file: the PEM of a certificate, say. */
  record Download(String contentType, String filename, byte[] body) implements Reply {}
}
