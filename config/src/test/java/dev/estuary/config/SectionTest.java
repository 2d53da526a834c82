package dev.estuary.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;

class SectionTest {
  private final Problems problems = new Problems();

  private Section root(String toml, boolean listKnown) {
    return Section.root(Toml.parse(toml), problems, "not used by the test", listKnown);
  }

  private List<String> reported() {
    return problems.all().stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void anArrayOfTablesGivesEachTableWithItsIndexInTheKeyPath() {
    Section r =
        root(
            """
            [[event]]
            at = "1m"

            [[event]]
            at = "soon"
            """,
            false);
    List<Section> events = r.tables("event");
    assertThat(events).hasSize(2);
    assertThat(events.get(0).duration("at")).contains(Duration.ofMinutes(1));
    assertThat(events.get(1).duration("at")).isEmpty();
    assertThat(reported()).singleElement().asString().startsWith("event[1].at: 'soon'");
  }

  @Test
  void aKeyThatIsNotAnArrayOfTablesIsReported() {
    assertThat(root("event = 3\n", false).tables("event")).isEmpty();
    assertThat(reported())
        .containsExactly("event: must be an array of tables ([[event]]), not an integer");
  }

  @Test
  void readsEachTypeAtItsKey() {
    Section s =
        root(
                """
                [a]
                n = 5
                on = true
                d = "15m"
                kind = "edge-ca"
                url = "https://ca.example/crl"
                file = "keys/ca.pem"
                list = ["x", "y"]
                """,
                false)
            .section("a", Set.of("n", "on", "d", "kind", "url", "file", "list"));

    assertThat(s.integer("n", 0, 1, 10)).isEqualTo(5);
    assertThat(s.bool("on")).contains(true);
    assertThat(s.duration("d", Duration.ofHours(1))).contains(Duration.ofMinutes(15));
    assertThat(s.oneOf("kind", List.of("identity", "edge-ca"))).contains("edge-ca");
    assertThat(s.url("url", Set.of("http", "https")))
        .contains(URI.create("https://ca.example/crl"));
    assertThat(s.path("file", Path.of("/etc/estuary")))
        .contains(Path.of("/etc/estuary/keys/ca.pem"));
    assertThat(s.stringList("list", List.of())).containsExactly("x", "y");
    assertThat(s.integer("absent", 7, 1, 10)).isEqualTo(7);
    assertThat(reported()).isEmpty();
  }

  @Test
  void reportsEveryBadValueAtItsFullPathWithoutItsValueWhenTheTypeIsWrong() {
    Section s =
        root(
                """
                [a.b]
                n = 50
                secret = 12345
                d = "2h"
                kind = "server"
                url = "ftp://ca.example/"
                nohost = "https:///x"
                list = ["x", 3]
                "odd key" = true
                """,
                false)
            .table("a")
            .orElseThrow()
            .table("b")
            .orElseThrow();

    s.integer("n", 0, 1, 10);
    s.string("secret");
    s.duration("d", Duration.ofHours(1));
    s.oneOf("kind", List.of("identity", "edge-ca"));
    s.url("url", Set.of("http", "https"));
    s.url("nohost", Set.of("https"));
    s.strings("list");
    s.string("odd key");

    assertThat(reported())
        .containsExactly(
            "a.b.n: 50 is outside 1..10",
            "a.b.secret: must be a string, not an integer",
            "a.b.d: '2h' is longer than 1h",
            "a.b.kind: 'server' is not one of: identity, edge-ca",
            "a.b.url: 'ftp://ca.example/' is not an http or https URL",
            "a.b.nohost: 'https:///x' has no valid host name",
            "a.b.list[1]: must be a string, not an integer",
            "a.b.\"odd key\": must be a string, not a boolean");
  }

  @Test
  void namesTheNearMissOrListsTheKnownKeys() {
    Section listing = root("listn = 1\ncolour = 2\nignored = 3\n", true);
    listing.checkKeys(Set.of("listen", "port"), Set.of("ignored"));

    assertThat(reported())
        .containsExactly(
            "listn: unknown key; did you mean 'listen'?",
            "colour: unknown key (known: listen, port)",
            "warning: ignored: not used by the test");
  }

  @Test
  void readsAMisspeltTableUnderItsMeantNameSoItsMistakesAreReportedToo() {
    Section r = root("[databse]\npool = \"x\"\n", false);
    r.checkKeys(Set.of("database"), Set.of());

    r.section("database", Set.of("pool")).integer("pool", 0, 1, 10);

    assertThat(reported())
        .containsExactly(
            "databse: unknown key; did you mean 'database'? (its contents are checked as [database])",
            "databse.pool: must be an integer, not a string");
  }

  @Test
  void anAbsentSectionReadsAsEmptyAndAScalarInItsPlaceIsReported() {
    Section r = root("admin = -1\n", false);

    assertThat(r.section("est", Set.of()).integer("port", 8443, 1, 65535)).isEqualTo(8443);
    assertThat(r.section("admin", Set.of()).isEmpty()).isTrue();
    assertThat(reported()).containsExactly("admin: must be a table, not an integer");
  }
}
