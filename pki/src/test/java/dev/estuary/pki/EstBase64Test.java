package dev.estuary.pki;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EstBase64Test {
  /** 300 bytes: five full 64-column lines and a short last one. */
  private static final byte[] DER = der(300);

  private static final String ONE_LINE = Base64.getEncoder().encodeToString(DER);

  private static byte[] der(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  private static String lines(String separator) {
    return new String(Base64.getMimeEncoder(64, separator.getBytes(US_ASCII)).encode(DER), US_ASCII)
        + separator;
  }

  private static byte[] decode(String body) throws PkiException {
    return EstBase64.decode(body.getBytes(US_ASCII));
  }

  @Test
  void decodesSixtyFourColumnLinesEndedByLf() throws Exception {
    assertThat(decode(lines("\n"))).isEqualTo(DER);
  }

  @Test
  void decodesSixtyFourColumnLinesEndedByCrlf() throws Exception {
    assertThat(decode(lines("\r\n"))).isEqualTo(DER);
  }

  @Test
  void decodesOneLongLineWithoutTrailingNewline() throws Exception {
    assertThat(decode(ONE_LINE)).isEqualTo(DER);
  }

  @Test
  void decodesOneLongLineWithTrailingNewline() throws Exception {
    assertThat(decode(ONE_LINE + "\n")).isEqualTo(DER);
  }

  @Test
  void decodesPemArmouredBlock() throws Exception {
    String pem =
        "-----BEGIN CERTIFICATE REQUEST-----\n"
            + lines("\n")
            + "-----END CERTIFICATE REQUEST-----\n";

    assertThat(decode(pem)).isEqualTo(DER);
  }

  @Test
  void rejectsEmptyBody() {
    assertThatThrownBy(() -> decode(""))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void rejectsBodyOfOnlyWhiteSpaceAsEmpty() {
    assertThatThrownBy(() -> decode(" \r\n\t\n"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void rejectsNonBase64CharacterNamingItAndItsLineAndColumn() {
    assertThatThrownBy(() -> decode("MIIB*AAA"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("not base64")
        .hasMessageContaining("'*'")
        .hasMessageContaining("line 1, column 5");
  }

  @Test
  void countsCrlfAsOneLineEndAndLoneCrOrLfEachAsOne() {
    assertThatThrownBy(() -> decode("MIIB\r\nAAAA\r\nAA*A"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("line 3, column 3");
    assertThatThrownBy(() -> decode("MIIB\rAA\n\nA*"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("line 4, column 2");
  }

  @Test
  void skipsIndentedArmourLinesButNotBase64StartingWithDashes() throws Exception {
    assertThat(
            decode("  -----BEGIN CERTIFICATE REQUEST-----\n" + lines("\n") + "\t-----END X-----\n"))
        .isEqualTo(DER);
    assertThatThrownBy(() -> decode("MIIB\n----\n"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("'-'")
        .hasMessageContaining("line 2, column 1");
  }

  @Test
  void namesAnUnprintableCharacterByItsCodePoint() {
    assertThatThrownBy(() -> EstBase64.decode(new byte[] {'M', 'I', 0x01, 'B'}))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("'\\u0001'")
        .hasMessageContaining("line 1, column 3");
  }

  @Test
  void rejectsBase64AlphabetTextOfImpossibleLength() {
    assertThatThrownBy(() -> decode("AAAAA"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("not valid base64");
  }

  @Test
  void encodeWritesSixtyFourColumnLfLinesEndingInNewline() {
    String text = new String(EstBase64.encode(DER), US_ASCII);

    assertThat(text).endsWith("\n").doesNotContain("\r").doesNotEndWith("\n\n");
    String[] lines = text.split("\n");
    assertThat(Arrays.copyOf(lines, lines.length - 1)).allSatisfy(l -> assertThat(l).hasSize(64));
    assertThat(lines[lines.length - 1]).hasSizeBetween(1, 64);
  }

  @Test
  void encodeOfExactlyOneLineEndsWithASingleNewline() {
    byte[] fortyEight = der(48); // 64 base64 characters

    assertThat(new String(EstBase64.encode(fortyEight), US_ASCII))
        .hasSize(65)
        .endsWith("\n")
        .doesNotEndWith("\n\n");
  }

  @Test
  void encodedTextRoundTripsThroughTheJdkMimeDecoder() {
    assertThat(Base64.getMimeDecoder().decode(EstBase64.encode(DER))).isEqualTo(DER);
  }

  @Test
  void encodedTextRoundTripsThroughDecode() throws Exception {
    assertThat(EstBase64.decode(EstBase64.encode(DER))).isEqualTo(DER);
  }
}
