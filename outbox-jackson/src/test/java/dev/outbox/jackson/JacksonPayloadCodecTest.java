package dev.outbox.jackson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.outbox.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec on its own; nothing here touches a database. */
class JacksonPayloadCodecTest {
  /** An event as an application writes one: a record with a timestamp and a nested list. */
  record OrderCreated(String orderId, Instant placedAt, List<Line> lines) {}

  record Line(String sku, int quantity) {}

  /** Jackson finds nothing to write in it. */
  static final class NoProperties {}

  private final JacksonPayloadCodec codec = new JacksonPayloadCodec();

  private static OrderCreated order() {
    return new OrderCreated(
        "o-1",
        Instant.parse("2026-01-02T03:04:05.123456Z"),
        List.of(new Line("sku-1", 2), new Line("sku-2", 1)));
  }

  @Test
  void aRecordWithAnInstantAndANestedListRoundTrips() {
    byte[] json = codec.encode(order());

    assertThat(codec.decode(json, OrderCreated.class)).isEqualTo(order());
  }

  @Test
  void instantsAreWrittenAsIsoText() {
    String json = new String(codec.encode(order()), StandardCharsets.UTF_8);

    assertThat(json)
        .isEqualTo(
            "{\"orderId\":\"o-1\",\"placedAt\":\"2026-01-02T03:04:05.123456Z\","
                + "\"lines\":[{\"sku\":\"sku-1\",\"quantity\":2},{\"sku\":\"sku-2\",\"quantity\":1}]}");
  }

  @Test
  void propertiesTheTargetDoesNotHaveAreIgnoredWhenRead() {
    byte[] newer =
        "{\"sku\":\"s\",\"quantity\":3,\"addedLater\":true}".getBytes(StandardCharsets.UTF_8);

    assertThat(codec.decode(newer, Line.class)).isEqualTo(new Line("s", 3));
  }

  @Test
  void genericTypesAreReadThroughATypeReference() {
    byte[] json = codec.encode(order().lines());

    assertThat(codec.decode(json, new TypeReference<List<Line>>() {}))
        .containsExactlyElementsOf(order().lines());
  }

  @Test
  void anUnwritableValueIsAnIllegalArgumentWithJacksonsReason() {
    assertThatThrownBy(() -> codec.encode(new NoProperties()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(NoProperties.class.getName())
        .hasMessageContaining("No serializer found");
  }

  @Test
  void throughTheMessageBuilderTheFailureNamesTheTopicAndTheClass() {
    assertThatThrownBy(
            () -> OutboxMessage.builder("orders").key("o-1").payload(new NoProperties(), codec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic 'orders'")
        .hasMessageContaining(NoProperties.class.getName());
  }

  @Test
  void bytesThatAreNotTheTypeAreAnIllegalArgumentNamingIt() {
    byte[] notJson = "not json".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> codec.decode(notJson, OrderCreated.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not JSON for a " + OrderCreated.class.getName());
  }

  @Test
  void aGivenMapperIsUsedAsConfigured() {
    ObjectMapper snake =
        JacksonPayloadCodec.defaultObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    JacksonPayloadCodec withSnake = new JacksonPayloadCodec(snake);

    String json = new String(withSnake.encode(new Line("s", 1)), StandardCharsets.UTF_8);

    assertThat(json).isEqualTo("{\"sku\":\"s\",\"quantity\":1}");
    assertThat(new String(withSnake.encode(order()), StandardCharsets.UTF_8))
        .contains("\"order_id\":\"o-1\"", "\"placed_at\":");
    assertThat(withSnake.objectMapper()).isSameAs(snake);
    assertThat(withSnake.contentType()).isEqualTo("application/json");
  }
}
