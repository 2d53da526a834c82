package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The console's keyset search on H2 and PostgreSQL: walking the pages visits every matching
 * certificate exactly once, in the documented order, whatever the page size; each criterion
 * filters.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class CertificateSearchTest extends BackendTestCase {
  private JdbiCertificateStore store;
  private CertificateSearch search;
  private final List<CertificateRecord> all = new ArrayList<>();

  @BeforeEach
  void fill() {
    store = new JdbiCertificateStore(db.jdbi());
    search = new CertificateSearch(db.jdbi());
    // 40 certificates: 4 subjects (10 each, several issued at the same instant), 2 labels,
    // expiries spread over 40 days and some equal, every 7th revoked, the first 5 expired
    for (int i = 0; i < 40; i++) {
      String subject = "CN=dev-" + (i % 4);
      Instant issued = T0.minus(Duration.ofDays(100)).plus(Duration.ofHours(i / 3));
      Instant notAfter = T0.plus(Duration.ofDays(i / 2 - 2));
      CertificateRecord base =
          TestCertificates.cert(BigInteger.valueOf(1000 + i * 7919L % 997), subject, issued);
      CertificateRecord r =
          new CertificateRecord(
              base.serial(),
              subject,
              base.issuer(),
              base.notBefore(),
              notAfter,
              i % 2 == 0 ? "sensors" : "gateways",
              base.keyAlgorithm(),
              base.sha256(),
              base.gate(),
              base.requester(),
              issued,
              base.der(),
              i % 7 == 0 ? T0.minus(Duration.ofHours(1)) : null,
              i % 7 == 0 ? "keyCompromise" : null,
              base.principal());
      store.record(r, null);
      all.add(r);
    }
  }

  private List<CertificateRecord> walk(CertificateSearch.Criteria c, int pageSize) {
    List<CertificateRecord> out = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      CertificateSearch.Page p = search.search(c, after, pageSize, T0);
      assertThat(p.rows().size()).isLessThanOrEqualTo(pageSize);
      out.addAll(p.rows());
      after = p.next();
      assertThat(++pages).as("pages").isLessThan(100);
    } while (after != null);
    return out;
  }

  private static Set<BigInteger> serials(List<CertificateRecord> l) {
    Set<BigInteger> s = new HashSet<>();
    l.forEach(r -> s.add(r.serial()));
    return s;
  }

  @Test
  void pagesByExpiryVisitEveryCertificateOnceInExpiryOrder() {
    for (int size : new int[] {1, 3, 7, 40, 200}) {
      List<CertificateRecord> got = walk(CertificateSearch.Criteria.ALL, size);
      assertThat(got).hasSize(all.size());
      assertThat(serials(got)).isEqualTo(serials(all));
      for (int i = 1; i < got.size(); i++) {
        assertThat(got.get(i).notAfter()).isAfterOrEqualTo(got.get(i - 1).notAfter());
      }
    }
  }

  @Test
  void anExactSubjectIsNewestFirstAndAPrefixCoversEverySubjectWithIt() {
    List<CertificateRecord> exact =
        walk(new CertificateSearch.Criteria(null, "CN=dev-1", null, null, null), 3);
    assertThat(exact).hasSize(10).allMatch(r -> r.subject().equals("CN=dev-1"));
    for (int i = 1; i < exact.size(); i++) {
      assertThat(exact.get(i).issuedAt()).isBeforeOrEqualTo(exact.get(i - 1).issuedAt());
    }
    List<CertificateRecord> prefix =
        walk(new CertificateSearch.Criteria(null, "CN=dev*", null, null, null), 4);
    assertThat(serials(prefix)).isEqualTo(serials(all));
    assertThat(walk(new CertificateSearch.Criteria(null, "CN=nobody*", null, null, null), 5))
        .isEmpty();
  }

  @Test
  void labelStatusExpiringBeforeAndSerialFilter() {
    Instant before = T0.plus(Duration.ofDays(5));
    var c =
        new CertificateSearch.Criteria(
            null, null, "sensors", CertificateSearch.Status.VALID, before);
    List<CertificateRecord> got = walk(c, 2);
    List<CertificateRecord> expected =
        all.stream()
            .filter(
                r ->
                    r.label().equals("sensors")
                        && !r.revoked()
                        && r.notAfter().isAfter(T0)
                        && r.notAfter().isBefore(before))
            .toList();
    assertThat(expected).isNotEmpty();
    assertThat(serials(got)).isEqualTo(serials(expected));

    assertThat(
            serials(
                walk(
                    new CertificateSearch.Criteria(
                        null, null, null, CertificateSearch.Status.REVOKED, null),
                    2)))
        .isEqualTo(serials(all.stream().filter(CertificateRecord::revoked).toList()));
    assertThat(
            serials(
                walk(
                    new CertificateSearch.Criteria(
                        null, null, null, CertificateSearch.Status.EXPIRED, null),
                    2)))
        .isEqualTo(
            serials(all.stream().filter(r -> !r.revoked() && !r.notAfter().isAfter(T0)).toList()));
    BigInteger one = all.get(17).serial();
    assertThat(walk(new CertificateSearch.Criteria(one, null, null, null, null), 5))
        .singleElement()
        .satisfies(r -> assertThat(r.serial()).isEqualTo(one));
  }

  @Test
  void validOrExpiredWithoutALabelPagesInExpiryOrderThroughEveryMatch() {
    // the search H2 is told to walk certificate_not_after_idx for (USE INDEX)
    for (CertificateSearch.Status status :
        new CertificateSearch.Status[] {
          CertificateSearch.Status.VALID, CertificateSearch.Status.EXPIRED
        }) {
      for (Instant before : new Instant[] {null, T0.plus(Duration.ofDays(6))}) {
        List<CertificateRecord> got =
            walk(new CertificateSearch.Criteria(null, null, null, status, before), 3);
        List<CertificateRecord> expected =
            all.stream()
                .filter(
                    r ->
                        !r.revoked()
                            && r.notAfter().isAfter(T0)
                                == (status == CertificateSearch.Status.VALID)
                            && (before == null || r.notAfter().isBefore(before)))
                .sorted(
                    Comparator.comparing(CertificateRecord::notAfter)
                        .thenComparing(CertificateRecord::serial))
                .toList();
        assertThat(expected).as("%s before %s", status, before).isNotEmpty();
        assertThat(got)
            .as("%s before %s", status, before)
            .extracting(CertificateRecord::serial)
            .containsExactlyElementsOf(expected.stream().map(CertificateRecord::serial).toList());
      }
    }
  }

  @Test
  void aCursorThisSearchDidNotMakeIsRefusedWithAClearError() {
    assertThatThrownBy(() -> search.search(CertificateSearch.Criteria.ALL, "not-a-cursor", 10, T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a page cursor");
  }
}
