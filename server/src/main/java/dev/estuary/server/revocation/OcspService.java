package dev.estuary.server.revocation;

import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.operator.ContentSigner;

/**
 * The OCSP responder as the device port serves it: statuses from the certificate records, and a
 * bounded cache of answers to requests without a nonce (an anonymous caller asking again for the
 * same certificate gets the signed answer already made). A cached answer is served until half its
 * validity has passed, and never after a revocation ({@link CrlPublisher#generation()}).
 */
public final class OcspService {
  /** How many distinct nonce-less answers are kept. */
  static final int CACHE_ENTRIES = 4096;

  private volatile OcspResponder responder;
  private final CrlPublisher publisher;
  private final CertificateStore certificates;
  private final Clock clock;
  private final Duration validity;
  private final Map<Key, Cached> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
          return size() > CACHE_ENTRIES;
        }
      };

  private record Key(byte[] request) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(request, k.request);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(request);
    }
  }

  private record Cached(OcspResponder.Answer answer, long generation) {}

  /**
   * @param publisher the CAs, and the generation that changes with every revocation
   * @param validity how long an answer is valid (nextUpdate minus thisUpdate)
   */
  public OcspService(
      CrlPublisher publisher,
      Map<String, OcspResponder.Signer> signers,
      CertificateStore certificates,
      Clock clock,
      Duration validity) {
    this.publisher = publisher;
    this.certificates = certificates;
    this.clock = clock;
    this.validity = validity;
    replaceSigners(signers);
  }

  /**
   * Answers for the publisher's CAs as they are now, with these signers (after a CA rollover, taken
   * up without a restart). Answers already cached stay right: a certificate's status does not
   * depend on which CAs are published.
   */
  public void replaceSigners(Map<String, OcspResponder.Signer> signers) {
    this.responder =
        new OcspResponder(
            publisher.cas(),
            signers,
            (ca, serial) -> status(certificates, ca, serial),
            clock,
            validity);
  }

  /** The CA signs its own answers: no other key to keep, and any client verifies them at once. */
  public static Map<String, OcspResponder.Signer> caSigners(Map<String, PublishedCa> cas) {
    Map<String, OcspResponder.Signer> out = new LinkedHashMap<>();
    for (PublishedCa ca : cas.values()) {
      X509CertificateHolder holder;
      try {
        holder = new X509CertificateHolder(ca.der());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      RespID id = OcspResponder.keyHashId(holder);
      out.put(
          ca.id(),
          new OcspResponder.Signer() {
            @Override
            public ContentSigner contentSigner() {
              return ca.ca().contentSigner();
            }

            @Override
            public RespID responderId() {
              return id;
            }

            @Override
            public X509CertificateHolder[] certificates() {
              return new X509CertificateHolder[0];
            }
          });
    }
    return out;
  }

  /** The answer to a DER OCSPRequest. */
  public OcspResponder.Answer answer(byte[] request) {
    long generation = publisher.generation();
    Key key = new Key(request);
    synchronized (cache) {
      Cached c = cache.get(key);
      if (c != null && c.generation() == generation && fresh(c.answer())) {
        return c.answer();
      }
    }
    OcspResponder.Answer a = responder.respond(request);
    if (a.cacheable()) {
      synchronized (cache) {
        cache.put(key, new Cached(a, generation));
      }
    }
    return a;
  }

  private boolean fresh(OcspResponder.Answer a) {
    Duration half = Duration.between(a.thisUpdate(), a.nextUpdate()).dividedBy(2);
    return clock.instant().isBefore(a.thisUpdate().plus(half));
  }

  /**
   * Good, revoked or unknown: a serial is this CA's only when a record of this server has it, under
   * this CA's name and key.
   */
  static OcspResponder.Status status(
      CertificateStore certificates, PublishedCa ca, BigInteger serial) {
    CertificateRecord r = certificates.findBySerial(serial).orElse(null);
    if (r == null || !ca.issued(r.issuer(), r.der())) {
      return new OcspResponder.Unknown();
    }
    if (r.revoked()) {
      Instant at = r.revokedAt();
      return new OcspResponder.Revoked(at, RevocationReason.stored(r.revocationReason()));
    }
    return new OcspResponder.Good();
  }
}
