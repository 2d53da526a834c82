package dev.estuary.server.revocation;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcDigestCalculatorProvider;

/**
 * An OCSP responder (RFC 6960, in the RFC 5019 profile where it applies) for this server's issuing
 * CAs: parses a request within limits, answers each certificate as good, revoked (time and reason)
 * or unknown (a serial this CA never issued is unknown, never good), echoes the nonce, and signs
 * with the CA's key or its delegated responder's. A request whose certificates belong to no CA of
 * this server, or to two, is answered {@code unauthorized}; one that cannot be parsed, or asks for
 * too many certificates, {@code malformedRequest}. No I/O: statuses come from {@link Statuses}.
 */
public final class OcspResponder {
  /** The largest request accepted (a request for one certificate with a nonce is ~120 bytes). */
  public static final int MAX_REQUEST_BYTES = 4096;

  /** The most certificates one request may ask about. */
  public static final int MAX_CERT_IDS = 8;

  /** Where a certificate's status comes from. */
  public interface Statuses {
    Status of(PublishedCa ca, BigInteger serial);
  }

  /** The status of one certificate. */
  public sealed interface Status {}

  public record Good() implements Status {}

  public record Revoked(Instant at, RevocationReason reason) implements Status {}

  public record Unknown() implements Status {}

  /** Who signs a CA's answers: the CA itself, or its delegated responder (whose chain is sent). */
  public interface Signer {
    ContentSigner contentSigner();

    RespID responderId();

    /** The certificates sent with the answer: none for the CA, the responder's for a delegate. */
    X509CertificateHolder[] certificates();
  }

  /** A request's certificate ids and nonce, as parsed. */
  public record Parsed(List<CertificateID> ids, byte[] nonce) {}

  /** A request that is not one this responder reads. */
  public static final class Malformed extends Exception {
    public Malformed(String message) {
      super(message);
    }
  }

  /**
   * An answer.
   *
   * @param cacheable false when it echoes a nonce (made for one caller)
   * @param thisUpdate null for an error answer
   */
  public record Answer(byte[] der, Instant thisUpdate, Instant nextUpdate, boolean cacheable) {}

  private static final DigestCalculatorProvider DIGESTS = new BcDigestCalculatorProvider();

  private final Map<String, PublishedCa> cas;
  private final Map<String, Signer> signers;
  private final Statuses statuses;
  private final Clock clock;
  private final Duration validity;

  /**
   * @param cas the CAs answered for, by id
   * @param signers who signs for each CA, by the CA's id
   * @param validity nextUpdate minus thisUpdate of each answer
   */
  public OcspResponder(
      Map<String, PublishedCa> cas,
      Map<String, Signer> signers,
      Statuses statuses,
      Clock clock,
      Duration validity) {
    this.cas = Map.copyOf(cas);
    this.signers = Map.copyOf(signers);
    this.statuses = statuses;
    this.clock = clock;
    this.validity = validity;
  }

  /**
   * Parses a DER OCSPRequest: at most {@link #MAX_REQUEST_BYTES}, one to {@link #MAX_CERT_IDS}
   * certificate ids; the optional signature is not checked (RFC 5019 2.1.2: nothing here depends on
   * who asks).
   */
  public static Parsed parse(byte[] der) throws Malformed {
    if (der.length > MAX_REQUEST_BYTES) {
      throw new Malformed("the request is larger than " + MAX_REQUEST_BYTES + " bytes");
    }
    OCSPReq req;
    try {
      req = new OCSPReq(der);
    } catch (IOException | RuntimeException e) {
      throw new Malformed("not a DER OCSPRequest");
    }
    Req[] list;
    try {
      list = req.getRequestList();
    } catch (RuntimeException e) {
      throw new Malformed("the request list cannot be read");
    }
    if (list.length == 0) {
      throw new Malformed("the request names no certificate");
    }
    if (list.length > MAX_CERT_IDS) {
      throw new Malformed(
          "the request names " + list.length + " certificates; at most " + MAX_CERT_IDS);
    }
    List<CertificateID> ids = new ArrayList<>();
    for (Req r : list) {
      ids.add(r.getCertID());
    }
    byte[] nonce = null;
    try {
      Extension n = req.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
      if (n != null) {
        nonce = n.getExtnValue().getOctets();
      }
    } catch (RuntimeException e) {
      throw new Malformed("the request's extensions cannot be read");
    }
    return new Parsed(List.copyOf(ids), nonce);
  }

  /** The answer to a DER request: always an OCSPResponse, an error status when it must be. */
  public Answer respond(byte[] request) {
    Parsed parsed;
    try {
      parsed = parse(request);
    } catch (Malformed e) {
      return error(OCSPRespBuilder.MALFORMED_REQUEST);
    }
    PublishedCa ca = null;
    for (CertificateID id : parsed.ids()) {
      PublishedCa match = issuerOf(id);
      if (match == null || (ca != null && !ca.id().equals(match.id()))) {
        return error(OCSPRespBuilder.UNAUTHORIZED);
      }
      ca = match;
    }
    Signer signer = signers.get(ca.id());
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant next = now.plus(validity);
    BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(signer.responderId());
    for (CertificateID id : parsed.ids()) {
      Status s = statuses.of(ca, id.getSerialNumber());
      CertificateStatus status =
          switch (s) {
            case Good g -> CertificateStatus.GOOD;
            case Revoked r -> new RevokedStatus(Date.from(r.at()), r.reason().code());
            case Unknown u -> new UnknownStatus();
          };
      b.addResponse(id, status, Date.from(now), Date.from(next), null);
    }
    if (parsed.nonce() != null) {
      b.setResponseExtensions(
          new Extensions(
              new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, parsed.nonce())));
    }
    try {
      OCSPResp resp =
          new OCSPRespBuilder()
              .build(
                  OCSPRespBuilder.SUCCESSFUL,
                  b.build(signer.contentSigner(), signer.certificates(), Date.from(now)));
      return new Answer(resp.getEncoded(), now, next, parsed.nonce() == null);
    } catch (OCSPException | IOException e) {
      throw new IllegalStateException("signing an OCSP answer failed: " + e.getMessage(), e);
    }
  }

  private PublishedCa issuerOf(CertificateID id) {
    for (PublishedCa ca : cas.values()) {
      try {
        if (id.matchesIssuer(new X509CertificateHolder(ca.der()), DIGESTS)) {
          return ca;
        }
      } catch (OCSPException | IOException | RuntimeException e) {
        // an unknown hash algorithm: not this CA
      }
    }
    return null;
  }

  /** An answer without a body: {@code malformedRequest}, {@code unauthorized}, ... */
  public static Answer error(int status) {
    try {
      return new Answer(new OCSPRespBuilder().build(status, null).getEncoded(), null, null, false);
    } catch (OCSPException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** For the signers: a key-hash responder id. */
  public static RespID keyHashId(X509CertificateHolder responder) {
    try {
      return new RespID(responder.getSubjectPublicKeyInfo(), DIGESTS.get(CertificateID.HASH_SHA1));
    } catch (OCSPException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }
}
