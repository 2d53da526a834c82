package dev.estuary.agent.net;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * One HTTPS exchange as the agent makes them (EST and provisioning): HTTP/1.1, no redirects, a
 * timeout for the connection and one for the answer, and every way of getting no answer turned
 * into one short sentence ({@link NoAnswer}).
 */
public final class Https {
  private Https() {}

  /** The request got no HTTP answer; the message says why in a few words. */
  public static final class NoAnswer extends Exception {
    NoAnswer(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Sends {@code request} over a new client with {@code tls}; the body comes back as bytes. */
  public static HttpResponse<byte[]> send(SSLContext tls, Duration timeout, HttpRequest request) throws NoAnswer {
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .sslContext(tls)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build()) {
      return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpConnectTimeoutException e) {
      throw new NoAnswer("no connection within " + timeout.toSeconds() + " s", e);
    } catch (HttpTimeoutException e) {
      throw new NoAnswer("no answer within " + timeout.toSeconds() + " s", e);
    } catch (ConnectException e) {
      throw new NoAnswer("connection refused", e);
    } catch (SSLException e) {
      throw new NoAnswer("TLS failed: " + rootMessage(e), e);
    } catch (IOException e) {
      throw new NoAnswer(rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NoAnswer("interrupted", e);
    }
  }

  /** The answer's {@code Date} header, if present and readable. */
  public static Optional<Instant> date(HttpResponse<?> response) {
    try {
      return response.headers().firstValue("Date")
          .map(d -> ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }
}
