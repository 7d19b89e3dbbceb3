package dev.outbox.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KafkaSenderBuilderTest {

  @Test
  void invalidOptionsAreRejectedNamingTheOptionAndItsRange() {
    assertThatThrownBy(() -> KafkaSender.builder(" ").build())
        .hasMessageContaining("bootstrapServers must be host:port");
    assertThatThrownBy(() -> KafkaSender.builder("h:9092").name("a b").build())
        .hasMessageContaining("name must be 1 to 64 letters");
    assertThatThrownBy(
            () -> KafkaSender.builder("h:9092").deliveryTimeout(Duration.ofMillis(10)).build())
        .hasMessage("deliveryTimeout must be between PT1S and PT1H, was PT0.01S");
    assertThatThrownBy(
            () -> KafkaSender.builder("h:9092").closeTimeout(Duration.ofSeconds(-1)).build())
        .hasMessage("closeTimeout must be between PT0S and PT5M, was PT-1S");
  }

  @Test
  void settingsTheGuaranteesRestOnCannotBeWeakened() {
    assertThatThrownBy(() -> KafkaSender.builder("h:9092").producerProperty("acks", "1").build())
        .hasMessage("producer setting acks must be all for KafkaSender (or left out), was 1");
    assertThatThrownBy(
            () ->
                KafkaSender.builder("h:9092").producerProperty("enable.idempotence", false).build())
        .hasMessageContaining("enable.idempotence must be true");
  }

  @Test
  void aSenderCanBeBuiltWhileNoBrokerIsReachable() {
    try (KafkaSender sender =
        KafkaSender.builder("127.0.0.1:1")
            .name("offline")
            .producerProperty("acks", "all")
            .closeTimeout(Duration.ZERO)
            .build()) {
      assertThat(sender.name()).isEqualTo("offline");
    }
  }
}
