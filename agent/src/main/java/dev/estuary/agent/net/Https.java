package dev.estuary.agent.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * One HTTPS exchange as the agent makes them (EST and provisioning): HTTP/1.1, no redirects,
 * bounded in time as a whole (a connection within the timeout, then the whole answer within it: the
 * JDK client's own request timeout stops at the response headers, and a server that sends them and
 * then stalls must not hold the agent forever) and in size, and every way of getting no answer
 * turned into one short sentence ({@link NoAnswer}).
 */
public final class Https {
  private Https() {}

  /** The request got no (complete) HTTP answer; the message says why in a few words. */
  public static final class NoAnswer extends Exception {
    NoAnswer(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The answer was larger than the caller allows. */
  public static final class TooLarge extends Exception {
    TooLarge(int maxBytes) {
      super("the answer is larger than " + maxBytes + " bytes");
    }
  }

  /**
   * Sends {@code request} with {@code tls} over this pass's client for it ({@link
   * TlsContexts#client}: a connection an earlier request of the pass left open is used again); the
   * body comes back as bytes. A request that gets no answer in time shuts that client down.
   */
  public static HttpResponse<byte[]> send(
      TlsContexts clients, SSLContext tls, Duration timeout, HttpRequest request, int maxBytes)
      throws NoAnswer, TooLarge {
    HttpClient client = clients.client(tls, timeout);
    CompletableFuture<HttpResponse<byte[]>> pending =
        client.sendAsync(request, info -> new BoundedBody(maxBytes));
    try {
      return pending.get(timeout.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      abandon(clients, client, pending);
      throw new NoAnswer(
          "no complete answer within " + timeout.multipliedBy(2).toSeconds() + " s", e);
    } catch (InterruptedException e) {
      abandon(clients, client, pending); // closing would otherwise wait for the exchange
      Thread.currentThread().interrupt();
      throw new NoAnswer("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AnswerTooLarge) {
        throw new TooLarge(maxBytes);
      }
      if (cause instanceof HttpConnectTimeoutException) {
        throw new NoAnswer("no connection within " + timeout.toSeconds() + " s", cause);
      } else if (cause instanceof HttpTimeoutException) {
        throw new NoAnswer("no answer within " + timeout.toSeconds() + " s", cause);
      } else if (cause instanceof ConnectException) {
        throw new NoAnswer("connection refused", cause);
      } else if (cause instanceof SSLException) {
        throw new NoAnswer("TLS failed: " + rootMessage(cause), cause);
      }
      throw new NoAnswer(rootMessage(cause), cause);
    }
  }

  private static void abandon(
      TlsContexts clients, HttpClient client, CompletableFuture<?> pending) {
    clients.discard(client);
    pending.cancel(true);
    try {
      // Java 21+: stop the client's threads and connections now; on 17 they end with the client.
      HttpClient.class.getMethod("shutdownNow").invoke(client);
    } catch (ReflectiveOperationException e) {
      // Java 17 has no shutdownNow.
    }
  }

  /**
   * Closes {@code client} where the JDK can (Java 21 made HttpClient AutoCloseable; the device side
   * also runs on 17, where the client's threads end once it is unreachable).
   */
  public static void close(HttpClient client) {
    if (client instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // nothing to do: the exchange is over
      }
    }
  }

  /** The answer's {@code Date} header, if present and readable. */
  public static Optional<Instant> date(HttpResponse<?> response) {
    try {
      return response
          .headers()
          .firstValue("Date")
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

  /** Collects a response body, refusing one larger than the limit. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int maxBytes;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    BoundedBody(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        if (bytes.size() + b.remaining() > maxBytes) {
          subscription.cancel();
          body.completeExceptionally(new AnswerTooLarge());
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable t) {
      body.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toByteArray());
    }
  }

  /** Internal marker: the body grew past the limit. */
  private static final class AnswerTooLarge extends IOException {
    AnswerTooLarge() {
      super("answer too large");
    }
  }
}
