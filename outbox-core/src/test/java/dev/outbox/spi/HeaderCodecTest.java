package dev.outbox.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderCodecTest {

  @Test
  void roundTripsAwkwardText() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("type", "order.created");
    headers.put("q\"uote", "back\\slash / tab\t nl\n cr\r ctl\u0001 é 日本 \uD83D\uDE00");
    headers.put("", "");
    assertThat(HeaderCodec.decode(HeaderCodec.encode(headers))).isEqualTo(headers);
  }

  @Test
  void emptyAndNullDecodeToEmpty() {
    assertThat(HeaderCodec.encode(Map.of())).isEqualTo("{}");
    assertThat(HeaderCodec.decode("{}")).isEmpty();
    assertThat(HeaderCodec.decode(null)).isEmpty();
  }

  @Test
  void acceptsTheWhitespaceAndEscapesDatabasesReturn() {
    assertThat(HeaderCodec.decode(" { \"a\" : \"\\u00e9\\/\" ,\n\"b\": \"c\" } "))
        .containsExactly(Map.entry("a", "é/"), Map.entry("b", "c"));
  }

  @Test
  void rejectsWhatIsNotAFlatObjectOfStrings() {
    assertThatThrownBy(() -> HeaderCodec.decode("{\"a\": 1}"))
        .hasMessageContaining("expected '\"'");
    assertThatThrownBy(() -> HeaderCodec.decode("{\"a\": \"b\"} x"))
        .hasMessageContaining("trailing");
    assertThatThrownBy(() -> HeaderCodec.decode("{\"a\": \"b"))
        .hasMessageContaining("unterminated");
  }
}
