package dev.estuary.server.revocation;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.server.http.Replies;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What relying parties fetch on the device port, without authentication (see docs/wire.md):
 *
 * <ul>
 *   <li>{@code GET /pki/crl/{caId}.crl}: the CA's current CRL, DER, {@code application/pkix-crl};
 *   <li>{@code GET /pki/ca/{caId}.cer}: the CA's certificate, DER, {@code application/pkix-cert}
 *       (the AIA caIssuers URL);
 *   <li>{@code POST /pki/ocsp} ({@code application/ocsp-request}) and {@code GET /pki/ocsp/{base64
 *       request, URL-encoded}}: OCSP.
 * </ul>
 *
 * Nothing here signs for an anonymous caller except an OCSP answer carrying the caller's nonce;
 * CRLs and nonce-less answers come from memory ({@link CrlPublisher}, {@link OcspService}).
 */
public final class RevocationHandler extends Handler.Abstract {
  /** The path prefix of everything served here. */
  public static final String PREFIX = "/pki/";

  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private final CrlPublisher crls;
  private final OcspService ocsp;
  private final Clock clock;

  public RevocationHandler(CrlPublisher crls, OcspService ocsp, Clock clock) {
    this.crls = crls;
    this.ocsp = ocsp;
    this.clock = clock;
  }

  /** The URLs a certificate from {@code ca} carries, below {@code base} (no trailing slash). */
  public static CertificateProfile.Publication urls(String base, String caId) {
    String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return new CertificateProfile.Publication(
        b + PREFIX + "crl/" + caId + ".crl",
        b + PREFIX + "ocsp",
        b + PREFIX + "ca/" + caId + ".cer");
  }

  /**
   * The most of a refused request's body read and dropped before the refusal ({@link
   * Replies#drain}).
   */
  private static final int DRAIN_LIMIT = 64 * 1024;

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    if (path == null || !path.startsWith(PREFIX)) {
      return false;
    }
    String rest = path.substring(PREFIX.length());
    String method = request.getMethod();
    if (rest.equals("ocsp")) {
      if (!method.equals("POST")) {
        return plain(
            response,
            callback,
            405,
            "use POST with application/ocsp-request, or GET /pki/ocsp/{base64}");
      }
      String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
      if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/ocsp-request")) {
        Replies.drain(request, response, DRAIN_LIMIT);
        return plain(response, callback, 415, "the body must be application/ocsp-request");
      }
      long declared = request.getLength();
      if (declared > OcspResponder.MAX_REQUEST_BYTES) {
        Replies.drain(request, response, DRAIN_LIMIT);
        return plain(
            response,
            callback,
            413,
            "an OCSP request is at most " + OcspResponder.MAX_REQUEST_BYTES + " bytes");
      }
      byte[] body;
      try (InputStream in = Request.asInputStream(request)) {
        body = in.readNBytes(OcspResponder.MAX_REQUEST_BYTES + 1);
      }
      if (body.length > OcspResponder.MAX_REQUEST_BYTES) {
        return plain(
            response,
            callback,
            413,
            "an OCSP request is at most " + OcspResponder.MAX_REQUEST_BYTES + " bytes");
      }
      return ocsp(response, callback, ocsp.answer(body));
    }
    if (rest.startsWith("ocsp/")) {
      if (!method.equals("GET")) {
        return plain(response, callback, 405, "use GET /pki/ocsp/{base64}, or POST /pki/ocsp");
      }
      String encoded = rest.substring("ocsp/".length());
      // base64 of at most MAX_REQUEST_BYTES, each character percent-encoded at worst
      if (encoded.length() > (OcspResponder.MAX_REQUEST_BYTES * 4 / 3 + 4) * 3) {
        return ocsp(response, callback, OcspResponder.error(OCSPRespBuilder.MALFORMED_REQUEST));
      }
      byte[] der;
      try {
        der = Base64.getDecoder().decode(URLDecoder.decode(encoded, StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        return ocsp(response, callback, OcspResponder.error(OCSPRespBuilder.MALFORMED_REQUEST));
      }
      return ocsp(response, callback, ocsp.answer(der));
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return plain(response, callback, 405, "use GET");
    }
    if (rest.startsWith("crl/") && rest.endsWith(".crl")) {
      String id = rest.substring("crl/".length(), rest.length() - ".crl".length());
      Optional<CrlPublisher.Published> crl = crls.crl(id);
      if (crl.isEmpty()) {
        return plain(response, callback, 404, "no issuing CA with id '" + safe(id) + "'");
      }
      CrlPublisher.Published p = crl.get();
      Replies.send(
          response,
          callback,
          200,
          "application/pkix-crl",
          p.der(),
          cacheHeaders(p.thisUpdate(), p.nextUpdate(), p.number().toString(16)));
      return true;
    }
    if (rest.startsWith("ca/") && rest.endsWith(".cer")) {
      String id = rest.substring("ca/".length(), rest.length() - ".cer".length());
      PublishedCa ca = crls.cas().get(id);
      if (ca == null) {
        return plain(response, callback, 404, "no issuing CA with id '" + safe(id) + "'");
      }
      Replies.send(
          response,
          callback,
          200,
          "application/pkix-cert",
          ca.der(),
          new HttpField(HttpHeader.CACHE_CONTROL, "public, max-age=86400"));
      return true;
    }
    return plain(
        response,
        callback,
        404,
        "nothing at " + safe(path) + " (see docs/wire.md: /pki/crl, /pki/ca, /pki/ocsp)");
  }

  private boolean ocsp(Response response, Callback callback, OcspResponder.Answer a) {
    HttpField[] headers =
        a.thisUpdate() == null
            ? new HttpField[] {new HttpField(HttpHeader.CACHE_CONTROL, "no-store")}
            : a.cacheable()
                ? cacheHeaders(a.thisUpdate(), a.nextUpdate(), null)
                : new HttpField[] {
                  new HttpField(HttpHeader.CACHE_CONTROL, "no-store"),
                  new HttpField(HttpHeader.LAST_MODIFIED, HTTP_DATE.format(a.thisUpdate())),
                  new HttpField(HttpHeader.EXPIRES, HTTP_DATE.format(a.nextUpdate()))
                };
    Replies.send(response, callback, 200, "application/ocsp-response", a.der(), headers);
    return true;
  }

  /** RFC 5019 6.2: max-age up to nextUpdate, Last-Modified thisUpdate, Expires nextUpdate. */
  private HttpField[] cacheHeaders(Instant thisUpdate, Instant nextUpdate, String etag) {
    long maxAge = Math.max(0, Duration.between(clock.instant(), nextUpdate).toSeconds());
    HttpField cc =
        new HttpField(
            HttpHeader.CACHE_CONTROL,
            "max-age=" + maxAge + ", public, no-transform, must-revalidate");
    HttpField lm = new HttpField(HttpHeader.LAST_MODIFIED, HTTP_DATE.format(thisUpdate));
    HttpField ex = new HttpField(HttpHeader.EXPIRES, HTTP_DATE.format(nextUpdate));
    return etag == null
        ? new HttpField[] {cc, lm, ex}
        : new HttpField[] {cc, lm, ex, new HttpField(HttpHeader.ETAG, "\"" + etag + "\"")};
  }

  private static boolean plain(Response response, Callback callback, int status, String reason) {
    Replies.text(response, callback, status, reason);
    return true;
  }

  private static String safe(String s) {
    String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return t.replaceAll("[^A-Za-z0-9._/%:-]", "?");
  }
}
