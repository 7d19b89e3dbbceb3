package dev.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Typed payloads through a {@link PayloadCodec}; nothing here touches a database. */
class PayloadCodecTest {
  private static final PayloadCodec<Object> TEXT =
      PayloadCodec.of("text/plain", v -> v.toString().getBytes(StandardCharsets.UTF_8));

  private static final PayloadCodec<Object> FAILING =
      PayloadCodec.of(
          "application/json",
          v -> {
            throw new IllegalStateException("no serializer for it");
          });

  @Test
  void theCodecsBytesBecomeThePayloadAndItsMediaTypeTheContentTypeHeader() {
    OutboxMessage m = OutboxMessage.builder("orders").key("o-1").payload(42, TEXT).build();

    assertThat(m.payload()).asString(StandardCharsets.UTF_8).isEqualTo("42");
    assertThat(m.headers()).containsEntry("content-type", "text/plain");
  }

  @Test
  void aContentTypeTheCallerSetIsKeptInAnyLetterCase() {
    OutboxMessage lower =
        OutboxMessage.builder("orders")
            .header("content-type", "text/x-mine")
            .payload(1, TEXT)
            .build();
    OutboxMessage mixed =
        OutboxMessage.builder("orders")
            .header("Content-Type", "text/x-mine")
            .payload(1, TEXT)
            .build();
    OutboxMessage after =
        OutboxMessage.builder("orders")
            .payload(1, TEXT)
            .header("content-type", "text/x-mine")
            .build();

    assertThat(lower.headers()).containsExactly(Map.entry("content-type", "text/x-mine"));
    assertThat(mixed.headers()).containsExactly(Map.entry("Content-Type", "text/x-mine"));
    assertThat(after.headers()).containsEntry("content-type", "text/x-mine").hasSize(1);
  }

  @Test
  void aCodecFailureNamesTheTopicAndTheValuesClassAndLeavesTheBuilderUnchanged() {
    OutboxMessage.Builder b = OutboxMessage.builder("orders").payload("before");

    assertThatThrownBy(() -> b.payload(new StringBuilder("x"), FAILING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic 'orders'")
        .hasMessageContaining("java.lang.StringBuilder")
        .hasMessageContaining("no serializer for it")
        .hasCauseInstanceOf(IllegalStateException.class);
    OutboxMessage m = b.build();
    assertThat(m.payload()).asString(StandardCharsets.UTF_8).isEqualTo("before");
    assertThat(m.headers()).isEmpty();
  }

  @Test
  void aCodecReturningNullOrNamingNoMediaTypeIsRefused() {
    PayloadCodec<Object> returnsNull = PayloadCodec.of("text/plain", v -> null);
    PayloadCodec<Object> noType =
        new PayloadCodec<>() {
          @Override
          public byte[] encode(Object value) {
            return new byte[0];
          }

          @Override
          public String contentType() {
            return " ";
          }
        };

    assertThatThrownBy(() -> OutboxMessage.builder("t").payload(1, returnsNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("returned null")
        .hasMessageContaining("topic 't'")
        .hasMessageContaining("java.lang.Integer");
    assertThatThrownBy(() -> OutboxMessage.builder("t").payload(1, noType))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must name a media type");
    assertThatThrownBy(() -> PayloadCodec.of("", v -> new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contentType must name a media type");
  }

  @Test
  void aNullValueOrCodecIsRefused() {
    assertThatThrownBy(() -> OutboxMessage.builder("t").payload(null, TEXT))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("payload value must not be null")
        .hasMessageContaining("topic 't'");
    assertThatThrownBy(() -> OutboxMessage.builder("t").payload(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("codec");
  }

  @Test
  void decodingIsOptional() {
    assertThatThrownBy(() -> TEXT.decode(new byte[0], String.class))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("text/plain");
  }

  @Test
  void anOutboxWithoutACodecRefusesATypedValueSayingHowToConfigureOne() {
    ListOutbox outbox = new ListOutbox(null);

    assertThatThrownBy(() -> outbox.add("tx", "orders", "o-1", new StringBuilder("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no payload codec")
        .hasMessageContaining("java.lang.StringBuilder")
        .hasMessageContaining("topic 'orders'")
        .hasMessageContaining("JdbcOutbox.Builder.payloadCodec(");
    assertThat(outbox.added).isEmpty();
  }

  @Test
  void anOutboxImplementedOutsideTheLibraryGetsTypedAddFromItsCodec() {
    ListOutbox outbox = new ListOutbox(TEXT);

    outbox.add("tx", "orders", "o-1", 7);

    assertThat(outbox.added)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.topic()).isEqualTo("orders");
              assertThat(m.key()).isEqualTo("o-1");
              assertThat(m.payload()).asString(StandardCharsets.UTF_8).isEqualTo("7");
              assertThat(m.headers()).containsEntry("content-type", "text/plain");
            });
  }

  @Test
  void aFailedTypedAddHandsNothingToTheOutbox() {
    ListOutbox outbox = new ListOutbox(FAILING);

    assertThatThrownBy(() -> outbox.add("tx", "orders", null, List.of(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic 'orders'");
    assertThat(outbox.added).isEmpty();
  }

  /** An {@link Outbox} as an application might write one: it only lists what it is given. */
  private static final class ListOutbox implements Outbox<String> {
    private final PayloadCodec<Object> codec;
    private final List<OutboxMessage> added = new ArrayList<>();

    ListOutbox(PayloadCodec<Object> codec) {
      this.codec = codec;
    }

    @Override
    public UUID add(String tx, OutboxMessage message) {
      added.add(message);
      return UUID.randomUUID();
    }

    @Override
    public List<UUID> addAll(String tx, Collection<OutboxMessage> messages) {
      return messages.stream().map(m -> add(tx, m)).toList();
    }

    @Override
    public Optional<PayloadCodec<Object>> payloadCodec() {
      return Optional.ofNullable(codec);
    }
  }
}
