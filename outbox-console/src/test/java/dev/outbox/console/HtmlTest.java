package dev.outbox.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlTest {

  @Test
  void escapesEveryCharacterThatCouldOpenMarkupOrLeaveAnAttribute() {
    assertThat(Html.esc("<script>alert('x')</script> & \"q\""))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    assertThat(Html.esc(null)).isEmpty();
  }

  @Test
  void hrefsEncodeParametersAndLeaveEscapingToTheTemplate() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("topic", "a&b <c>");
    params.put("key", null);
    params.put("cursor", "42");
    assertThat(Html.href("/x/dead-letters", params))
        .isEqualTo("/x/dead-letters?topic=a%26b+%3Cc%3E&cursor=42");
    assertThat(Template.of("t", "<a href=\"{{href}}\">").render("href", Html.href("/x", params)))
        .hasToString("<a href=\"/x?topic=a%26b+%3Cc%3E&amp;cursor=42\">");
  }

  @Test
  void agesShowTheTwoLargestUnits() {
    assertThat(Html.age(Duration.ZERO)).isEqualTo("0s");
    assertThat(Html.age(Duration.ofSeconds(7))).isEqualTo("7s");
    assertThat(Html.age(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(Html.age(Duration.ofSeconds(3 * 3600 + 4 * 60 + 5))).isEqualTo("3h 04m");
    assertThat(Html.age(Duration.ofHours(1))).isEqualTo("1h");
    assertThat(Html.age(Duration.ofDays(2).plusHours(1))).isEqualTo("2d 01h");
  }
}
