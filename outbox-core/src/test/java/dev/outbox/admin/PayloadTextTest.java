package dev.outbox.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadTextTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void utf8WithNewlinesAndTabsIsText() {
    assertThat(PayloadText.lines(utf8("{\"a\": 1}\n\tgrüße"), 16))
        .containsExactly("payload (text):", "{\"a\": 1}", "\tgrüße");
  }

  @Test
  void controlCharactersOrInvalidUtf8AreHexSixteenBytesALine() {
    byte[] bytes = utf8("abcdefghijklmnop\rq");
    assertThat(PayloadText.lines(bytes, bytes.length))
        .containsExactly(
            "payload (hex):",
            "00000000  61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70",
            "00000010  0d 71");
    assertThat(PayloadText.lines(new byte[] {'a', (byte) 0xc3}, 2))
        .as("a character cut where nothing was cut is not text")
        .containsExactly("payload (hex):", "00000000  61 c3");
  }

  @Test
  void aCutPayloadSaysHowManyBytesWereLeftOutAndMayEndInsideACharacter() {
    assertThat(PayloadText.lines(new byte[] {'a', (byte) 0xc3}, 12_347))
        .containsExactly("payload (text):", "a", "… 12,345 bytes left out");
  }
}
