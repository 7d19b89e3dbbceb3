package dev.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** What a message accepts; nothing here touches a database. */
class OutboxMessageTest {
  private static final String UNPAIRED_HIGH = "a\uD83Db";
  private static final String UNPAIRED_LOW = "a\uDE00";
  private static final String NUL = "a\u0000b";

  @Test
  void unpairedSurrogatesAreRefusedNamingTheField() {
    assertRefused(() -> OutboxMessage.builder(UNPAIRED_HIGH), "topic is not well-formed UTF-16");
    assertRefused(() -> OutboxMessage.of("t", UNPAIRED_LOW, "x"), "key is not well-formed UTF-16");
    assertRefused(
        () -> OutboxMessage.builder("t").header(UNPAIRED_HIGH, "v"),
        "header name is not well-formed UTF-16");
    assertRefused(
        () -> OutboxMessage.builder("t").header("h", UNPAIRED_LOW),
        "value of header 'h' is not well-formed UTF-16");
  }

  @Test
  void nulIsRefusedNamingTheField() {
    assertRefused(() -> OutboxMessage.builder(NUL), "topic must not contain NUL");
    assertRefused(() -> OutboxMessage.of("t", NUL, "x"), "key must not contain NUL");
    assertRefused(
        () -> OutboxMessage.builder("t").header(NUL, "v"), "header name must not contain NUL");
    assertRefused(
        () -> OutboxMessage.builder("t").header("h", NUL),
        "value of header 'h' must not contain NUL");
  }

  @Test
  void pairedSurrogatesAreAccepted() {
    String emoji = "order \uD83D\uDE00";
    OutboxMessage m = OutboxMessage.builder(emoji).key(emoji).header(emoji, emoji).build();
    assertThat(m.key()).isEqualTo(emoji);
    assertThat(m.headers()).containsEntry(emoji, emoji);
  }

  private static void assertRefused(Executable build, String message) {
    assertThatThrownBy(build::execute)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
