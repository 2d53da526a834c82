package dev.estuary.agent.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent's JSON: strict parsing, lenient reading, output any JSON reader takes (Jackson checks).
 */
class JsonObjectTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();

  @Test
  void parsesEveryKindOfValue() throws Exception {
    JsonObject o =
        JsonObject.parse(
            " {\"s\": \"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\", \"i\": -42, \"big\": 12345678901234567890,"
                + " \"d\": 1.5e3, \"t\": true, \"f\": false, \"n\": null, \"a\": [1, \"x\", [], {}],"
                + " \"o\": {\"p\": {\"q\": 7}}} ");

    assertThat(o.text("s")).contains("a\"b\\c/\né😀");
    assertThat(o.get("i")).isEqualTo(-42L);
    assertThat(o.get("big")).isEqualTo(new BigDecimal("12345678901234567890"));
    assertThat(o.get("d")).isEqualTo(new BigDecimal("1.5e3"));
    assertThat(o.get("t")).isEqualTo(Boolean.TRUE);
    assertThat(o.get("f")).isEqualTo(Boolean.FALSE);
    assertThat(o.names()).containsExactly("s", "i", "big", "d", "t", "f", "n", "a", "o");
    assertThat(o.get("n")).isNull();
    assertThat(o.has("n")).isFalse();
    assertThat(o.get("a")).isEqualTo(List.of(1L, "x", List.of(), new JsonObject()));
    assertThat(o.object("o").object("p").number("q", 0)).isEqualTo(7);
    assertThat(o.number("d", 0)).isEqualTo(1500);
  }

  @Test
  void readingAMemberOfAnotherTypeOrAMissingOneGivesTheFallback() throws Exception {
    JsonObject o = JsonObject.parse("{\"n\": 5, \"s\": \"5\", \"o\": {}, \"x\": 1.5}");

    assertThat(o.text("n")).isEmpty();
    assertThat(o.text("missing", "?")).isEqualTo("?");
    assertThat(o.number("s", -1)).isEqualTo(-1);
    assertThat(o.number("x", -1)).isEqualTo(-1);
    assertThat(o.object("n").isEmpty()).isTrue();
    assertThat(o.has("missing")).isFalse();
  }

  @Test
  void objectReadsWithoutAttachingAndObjectForAttaches() {
    JsonObject root = new JsonObject();

    root.object("a").put("x", "lost");
    assertThat(root.names()).isEmpty();

    root.objectFor("b").put("y", "kept");
    root.objectFor("b").put("z", 1);
    assertThat(root.toString()).isEqualTo("{\"b\":{\"y\":\"kept\",\"z\":1}}");
  }

  @Test
  void aCopyIsDeep() throws Exception {
    JsonObject original = JsonObject.parse("{\"o\": {\"k\": \"v\"}, \"a\": [{\"k\": 1}]}");
    JsonObject copy = original.copy();

    copy.objectFor("o").put("k", "changed");
    copy.remove("a");

    assertThat(original.toString()).isEqualTo("{\"o\":{\"k\":\"v\"},\"a\":[{\"k\":1}]}");
    assertThat(copy.toString()).isEqualTo("{\"o\":{\"k\":\"changed\"}}");
  }

  @Test
  void prettyTextIsIndentedOneMemberPerLine() {
    JsonObject o =
        new JsonObject()
            .put("version", 1)
            .put("empty", new JsonObject())
            .put("last_error", (String) null);
    o.objectFor("credentials")
        .objectFor("device-id")
        .put("consecutive_failures", 0)
        .put("ok", true);

    assertThat(o.toPrettyString())
        .isEqualTo(
            """
            {
              "version" : 1,
              "empty" : { },
              "last_error" : null,
              "credentials" : {
                "device-id" : {
                  "consecutive_failures" : 0,
                  "ok" : true
                }
              }
            }""");
  }

  @Test
  void controlCharactersAndQuotesAreEscaped() throws Exception {
    String nasty = "q\"b\\ \u0000\u0001\u001f\b\f\n\r\t é 😀 \u2028";
    JsonObject o = new JsonObject().put(nasty, nasty);

    String text = o.toString();

    assertThat(text).doesNotContainPattern("[\\x00-\\x1f]");
    assertThat(JsonObject.parse(text).text(nasty)).contains(nasty);
    assertThat(JACKSON.readTree(text).get(nasty).asText()).isEqualTo(nasty);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''                          | offset 0: expected a JSON object",
        "[1]                         | offset 0: expected a JSON object",
        "{\"a\": 1} x                | offset 9: unexpected text after the JSON object",
        "{\"a\": 1                   | offset 7: expected ',' or '}' in an object",
        "{\"a\" 1}                   | offset 5: expected ':'",
        "{a: 1}                      | offset 1: expected a member name in quotes",
        "{\"a\": 01}                 | offset 7: expected ',' or '}' in an object",
        "{\"a\": -}                  | offset 7: expected a digit",
        "{\"a\": 1.}                 | offset 8: expected a digit after '.'",
        "{\"a\": 1e}                 | offset 8: expected a digit in the exponent",
        "{\"a\": tru}                | offset 6: expected 'true'",
        "{\"a\": \"x}                | offset 9: unterminated string",
        "{\"a\": \"\\x\"}            | offset 8: bad escape in a string",
        "{\"a\": \"\\u12\"}          | offset 8: bad \\u escape",
        "{\"a\": [1 2]}              | offset 9: expected ',' or ']' in an array",
        "{\"a\": ,}                  | offset 6: unexpected character ','",
        "{\"a\":                     | offset 5: unexpected end of input",
      })
  void malformedTextIsRefusedWithTheOffsetAndWhatWasExpected(String text, String message) {
    assertThatThrownBy(() -> JsonObject.parse(text))
        .isInstanceOf(JsonException.class)
        .hasMessage("invalid JSON at " + message);
  }

  @Test
  void aRawControlCharacterInAStringIsRefused() {
    assertThatThrownBy(() -> JsonObject.parse("{\"a\": \"x\ny\"}"))
        .isInstanceOf(JsonException.class)
        .hasMessage("invalid JSON at offset 8: unescaped control character in a string");
  }

  @Test
  void nestingDeeperThanTheLimitIsRefusedInsteadOfExhaustingTheStack() throws Exception {
    String ok =
        "{\"a\":"
            + "[".repeat(JsonParser.MAX_DEPTH - 1)
            + "]".repeat(JsonParser.MAX_DEPTH - 1)
            + "}";
    String deep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";

    assertThat(JsonObject.parse(ok).names()).containsExactly("a");
    assertThatThrownBy(() -> JsonObject.parse(deep))
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("nested deeper than " + JsonParser.MAX_DEPTH + " levels");
  }

  @Test
  void bytesThatAreNotUtf8AreRefused() {
    byte[] latin1 = "{\"a\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> JsonObject.parse(latin1))
        .isInstanceOf(JsonException.class)
        .hasMessageStartingWith("not UTF-8");
  }

  @Test
  void randomDocumentsSurviveBothWaysThroughJackson() throws Exception {
    Random random = new Random(20261128);
    for (int n = 0; n < 500; n++) {
      JsonObject doc = randomObject(random, 0);

      for (String ours : List.of(doc.toString(), doc.toPrettyString())) {
        JsonNode read = JACKSON.readTree(ours);
        assertThat(JsonObject.parse(JACKSON.writeValueAsBytes(read))).as(ours).isEqualTo(doc);
        assertThat(JsonObject.parse(ours)).as(ours).isEqualTo(doc);
      }
    }
  }

  private static JsonObject randomObject(Random random, int depth) {
    JsonObject o = new JsonObject();
    int members = random.nextInt(depth > 3 ? 2 : 5);
    for (int k = 0; k < members; k++) {
      Object v = randomValue(random, depth + 1);
      String name = randomString(random);
      if (v == null) {
        o.put(name, (String) null);
      } else if (v instanceof String s) {
        o.put(name, s);
      } else if (v instanceof Long l) {
        o.put(name, l);
      } else if (v instanceof Boolean b) {
        o.put(name, b);
      } else if (v instanceof JsonObject j) {
        o.put(name, j);
      } else {
        o.set(name, v);
      }
    }
    return o;
  }

  private static Object randomValue(Random random, int depth) {
    return switch (random.nextInt(depth > 4 ? 4 : 6)) {
      case 0 -> randomString(random);
      case 1 -> random.nextBoolean() ? random.nextLong() : (long) random.nextInt(1000);
      case 2 -> random.nextBoolean();
      case 3 -> null;
      case 4 -> randomObject(random, depth);
      default -> {
        List<Object> list = new ArrayList<>();
        int size = random.nextInt(4);
        for (int k = 0; k < size; k++) {
          list.add(randomValue(random, depth + 1));
        }
        yield list;
      }
    };
  }

  private static String randomString(Random random) {
    String alphabet = "ab\"\\/\n\t\u0000\u001fé😀 {}[],:";
    StringBuilder b = new StringBuilder();
    int length = random.nextInt(8);
    for (int k = 0; k < length; k++) {
      int start = random.nextInt(alphabet.length());
      if (Character.isLowSurrogate(alphabet.charAt(start))) {
        start--;
      }
      b.appendCodePoint(alphabet.codePointAt(start));
    }
    return b.toString();
  }

  /**
   * Issue 16 point 3: a number whose exponent overflows is a JsonException, not a
   * NumberFormatException.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"n\": 1e99999999999}",
        "{\"n\": -2.5E-99999999999}",
        "{\"a\": [1E+99999999999]}"
      })
  void aNumberBeyondWhatCanBeReadIsAJsonException(String json) {
    Assertions.assertThatThrownBy(() -> JsonObject.parse(json))
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("number");
  }
}
