package dev.outbox.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TemplateTest {

  @Test
  void valuesAreEscapedByDefault() {
    Template t = Template.of("t", "<p title=\"{{title}}\">{{body}}</p>");

    assertThat(t.render("title", "a\"b", "body", "<script>x</script>"))
        .hasToString("<p title=\"a&quot;b\">&lt;script&gt;x&lt;/script&gt;</p>");
  }

  @Test
  void markupFromAnotherTemplateIsInsertedAsIs() {
    Template item = Template.of("item", "<li>{{text}}</li>");
    Template list = Template.of("list", "<ul>{{items}}</ul>");

    Html.Safe items = Html.join(List.of(item.render("text", "a<b"), item.render("text", 7)));

    assertThat(list.render("items", items)).hasToString("<ul><li>a&lt;b</li><li>7</li></ul>");
  }

  @Test
  void aSlotWithoutAValueIsAnErrorNamingIt() {
    Template t = Template.of("page#x", "<p>{{title}}</p>");

    assertThatThrownBy(() -> t.render("titel", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("page#x")
        .hasMessageContaining("{{title}}");
  }

  @Test
  void nullIsEmpty() {
    assertThat(Template.of("t", "[{{v}}]").render("v", null)).hasToString("[]");
  }

  @Test
  void theConsoleResourcesDefineTheirTemplates() {
    assertThat(Template.load("common.html")).containsKeys("layout", "button", "confirm", "error");
    assertThat(Template.load("pages.html"))
        .containsKeys("overview", "dead-letters", "pending", "key", "topic-row");
    assertThat(Template.load("pages.html").get("all-paused").render())
        .hasToString("<p class=\"warn\" id=\"all-paused\">All topics are paused.</p>\n");
  }
}
