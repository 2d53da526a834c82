package dev.estuary.server.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.bc.BcDigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.Test;

class OcspResponderTest {
  static final PublishedCa CA = PublishedCa.of(TestCas.issuing("Ocsp Test CA"));
  static final PublishedCa OTHER = PublishedCa.of(TestCas.issuing("Ocsp Other CA"));
  static final PublishedCa STRANGER = PublishedCa.of(TestCas.issuing("Ocsp Stranger CA"));
  static final BigInteger GOOD = BigInteger.valueOf(0x600d);
  static final BigInteger REVOKED = BigInteger.valueOf(0xdead);
  static final Instant REVOKED_AT = TestCas.NOW.minus(Duration.ofHours(3));
  static final Clock CLOCK = Clock.fixed(TestCas.NOW, ZoneOffset.UTC);

  /** Good and revoked are the only serials CA issued; OTHER issued none. */
  static final OcspResponder.Statuses STATUSES =
      (ca, serial) -> {
        if (!ca.id().equals(CA.id())) {
          return new OcspResponder.Unknown();
        }
        if (serial.equals(GOOD)) {
          return new OcspResponder.Good();
        }
        if (serial.equals(REVOKED)) {
          return new OcspResponder.Revoked(REVOKED_AT, RevocationReason.KEY_COMPROMISE);
        }
        return new OcspResponder.Unknown();
      };

  static OcspResponder responder() {
    Map<String, PublishedCa> cas = new LinkedHashMap<>();
    cas.put(CA.id(), CA);
    cas.put(OTHER.id(), OTHER);
    return new OcspResponder(cas, OcspService.caSigners(cas), STATUSES, CLOCK, Duration.ofHours(1));
  }

  static CertificateID id(PublishedCa ca, BigInteger serial) throws Exception {
    return new CertificateID(
        new BcDigestCalculatorProvider().get(CertificateID.HASH_SHA1),
        new X509CertificateHolder(ca.der()),
        serial);
  }

  static byte[] request(byte[] nonce, CertificateID... ids) throws Exception {
    OCSPReqBuilder b = new OCSPReqBuilder();
    for (CertificateID id : ids) {
      b.addRequest(id);
    }
    if (nonce != null) {
      b.setRequestExtensions(
          new Extensions(
              new Extension(
                  OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                  false,
                  new DEROctetString(nonce).getEncoded())));
    }
    return b.build().getEncoded();
  }

  static BasicOCSPResp basic(OcspResponder.Answer a) throws Exception {
    OCSPResp r = new OCSPResp(a.der());
    assertThat(r.getStatus()).isEqualTo(OCSPRespBuilder.SUCCESSFUL);
    BasicOCSPResp basic = (BasicOCSPResp) r.getResponseObject();
    assertThat(
            basic.isSignatureValid(
                new JcaContentVerifierProviderBuilder().build(CA.ca().certificate())))
        .as("signed by the CA")
        .isTrue();
    return basic;
  }

  @Test
  void goodRevokedAndUnknownAreAnsweredSignedByTheCaWithTheirTimes() throws Exception {
    OcspResponder.Answer a =
        responder()
            .respond(
                request(null, id(CA, GOOD), id(CA, REVOKED), id(CA, BigInteger.valueOf(0x7777))));
    BasicOCSPResp basic = basic(a);
    SingleResp[] single = basic.getResponses();
    assertThat(single).hasSize(3);
    assertThat(single[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
    RevokedStatus revoked = (RevokedStatus) single[1].getCertStatus();
    assertThat(revoked.getRevocationTime().toInstant()).isEqualTo(REVOKED_AT);
    assertThat(revoked.getRevocationReason()).isEqualTo(1);
    assertThat(single[2].getCertStatus())
        .as("a serial the CA never issued is unknown, never good")
        .isInstanceOf(UnknownStatus.class);
    assertThat(single[0].getThisUpdate().toInstant()).isEqualTo(TestCas.NOW);
    assertThat(single[0].getNextUpdate().toInstant())
        .isEqualTo(TestCas.NOW.plus(Duration.ofHours(1)));
    assertThat(a.cacheable()).isTrue();
    assertThat(basic.getCerts()).as("the CA signs: no certificate sent").isEmpty();
  }

  @Test
  void theNonceIsEchoedAndSuchAnAnswerIsNotCacheable() throws Exception {
    byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    OcspResponder.Answer a = responder().respond(request(nonce, id(CA, GOOD)));
    Extension echoed = basic(a).getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
    assertThat(DEROctetString.getInstance(echoed.getParsedValue()).getOctets()).isEqualTo(nonce);
    assertThat(a.cacheable()).isFalse();
  }

  @Test
  void aCertificateOfACaThisServerDoesNotRunIsUnauthorized() throws Exception {
    assertThat(status(responder().respond(request(null, id(STRANGER, GOOD)))))
        .isEqualTo(OCSPRespBuilder.UNAUTHORIZED);
    assertThat(status(responder().respond(request(null, id(CA, GOOD), id(OTHER, GOOD)))))
        .as("one answer, one signer: certificates of two CAs are not answered together")
        .isEqualTo(OCSPRespBuilder.UNAUTHORIZED);
  }

  @Test
  void garbageTooManyCertificatesAndOversizedRequestsAreMalformed() throws Exception {
    assertThat(status(responder().respond(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})))
        .isEqualTo(OCSPRespBuilder.MALFORMED_REQUEST);
    assertThat(status(responder().respond(new byte[0])))
        .isEqualTo(OCSPRespBuilder.MALFORMED_REQUEST);
    CertificateID[] many = new CertificateID[OcspResponder.MAX_CERT_IDS + 1];
    for (int i = 0; i < many.length; i++) {
      many[i] = id(CA, BigInteger.valueOf(1000 + i));
    }
    assertThat(status(responder().respond(request(null, many))))
        .isEqualTo(OCSPRespBuilder.MALFORMED_REQUEST);
    CertificateID[] most = Arrays.copyOf(many, OcspResponder.MAX_CERT_IDS);
    assertThat(status(responder().respond(request(null, most))))
        .isEqualTo(OCSPRespBuilder.SUCCESSFUL);
    byte[] huge = request(new byte[OcspResponder.MAX_REQUEST_BYTES], id(CA, GOOD));
    assertThat(status(responder().respond(huge))).isEqualTo(OCSPRespBuilder.MALFORMED_REQUEST);
  }

  static int status(OcspResponder.Answer a) throws Exception {
    return new OCSPResp(a.der()).getStatus();
  }
}
