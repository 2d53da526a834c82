package dev.estuary.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Stored values are attacker-controlled (a device chooses its subject): whatever reaches a page is
 * escaped, as text and as an attribute value.
 */
class HtmlTest {
  static final String SUBJECT =
      "CN=<script>alert('x')</script>\",O=\"><img src=x onerror=alert(1)>&";

  @Test
  void aScriptSubjectIsEscapedAsTextAndInAttributes() {
    String html =
        new Html()
            .el("td", SUBJECT)
            .el("a", SUBJECT, "href", "/console/certificates?subject=" + SUBJECT, "title", SUBJECT)
            .toString();
    assertThat(html)
        .doesNotContain("<script>")
        .doesNotContain("<img")
        .doesNotContain("'x'")
        .contains("CN=&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;")
        .contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;");
    // every attribute value stays one quoted value: no quote from the subject closes it
    assertThat(html.chars().filter(c -> c == '"').count()).isEqualTo(4);
  }

  @Test
  void controlCharactersAreReplacedAndPlainTextIsUntouched() {
    assertThat(Html.escape("a\u0000b\u001bc")).isEqualTo("a\uFFFDb\uFFFDc");
    assertThat(Html.escape("CN=device-42,O=Estuary")).isEqualTo("CN=device-42,O=Estuary");
    assertThat(Html.escape(null)).isEmpty();
  }

  @Test
  void theExpiryChartEscapesLabelNames() {
    long[] days = new long[30];
    days[2] = 4;
    String svg =
        ExpiryChart.svg(LocalDate.of(2030, 1, 1), Map.of("<b onmouseover=x>", days), 30).toString();
    assertThat(svg).doesNotContain("<b ").contains("&lt;b onmouseover=x&gt;");
    assertThat(svg).contains("data-day=\"2030-01-03\" data-total=\"4\"");
  }
}
