package dev.outbox.rabbitmq;

import com.rabbitmq.client.Return;
import dev.outbox.BatchOutcomes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The messages of one confirm-mode channel that await the broker's answer, by publish sequence
 * number. The broker's acks, nacks and returns arrive on the connection's I/O thread; each settles
 * the outcome of its record. If the channel dies, everything still pending is retried.
 */
final class ConfirmTracker {
  private record Pending(BatchOutcomes outcomes, int index, String messageId) {}

  private final ConcurrentNavigableMap<Long, Pending> bySequence = new ConcurrentSkipListMap<>();

  /** Why a message was returned, by message id; settled as dead when its ack arrives. */
  private final Map<String, String> returned = new ConcurrentHashMap<>();

  /** Remembers that the message published as {@code sequence} is the record at {@code index}. */
  void track(long sequence, BatchOutcomes outcomes, int index, String messageId) {
    bySequence.put(sequence, new Pending(outcomes, index, messageId));
  }

  /** Forgets {@code sequence}: its publish failed and was reported already. */
  void untrack(long sequence) {
    bySequence.remove(sequence);
  }

  /**
   * The broker took responsibility for the message(s): sent, unless it was returned first as
   * unroutable (RabbitMQ sends {@code basic.return} before the {@code basic.ack} of the same
   * message).
   */
  void acked(long deliveryTag, boolean multiple) {
    for (Pending p : settle(deliveryTag, multiple)) {
      String reason = returned.remove(p.messageId());
      if (reason == null) {
        p.outcomes().sent(p.index());
      } else {
        p.outcomes().dead(p.index(), reason);
      }
    }
  }

  /**
   * The broker could not take the message(s), for example a full queue: retry, as a failure of
   * these messages (not an {@link IOException}, which the relay would take for the broker being
   * away and count no attempt for).
   */
  void nacked(long deliveryTag, boolean multiple) {
    IllegalStateException cause =
        new IllegalStateException(
            "RabbitMQ refused the message (negative publisher confirm), for example because a"
                + " queue is full");
    for (Pending p : settle(deliveryTag, multiple)) {
      returned.remove(p.messageId());
      p.outcomes().retry(p.index(), cause);
    }
  }

  /** A mandatory message no queue was bound for; its ack follows and settles it as dead. */
  void returned(Return r) {
    String messageId = r.getProperties().getMessageId();
    if (messageId != null) {
      returned.put(
          messageId,
          "unroutable: RabbitMQ returned the message from exchange '"
              + r.getExchange()
              + "' with routing key '"
              + r.getRoutingKey()
              + "' ("
              + r.getReplyCode()
              + " "
              + r.getReplyText()
              + "); bind a queue that matches it");
    }
  }

  /** The channel is gone: every message still awaiting an answer is retried with {@code cause}. */
  void failAll(Throwable cause) {
    for (Long sequence : bySequence.keySet()) {
      Pending p = bySequence.remove(sequence);
      if (p != null) {
        p.outcomes().retry(p.index(), cause);
      }
    }
    returned.clear();
  }

  /** Whether no message awaits an answer. */
  boolean isEmpty() {
    return bySequence.isEmpty();
  }

  private List<Pending> settle(long deliveryTag, boolean multiple) {
    NavigableMap<Long, Pending> settled =
        multiple
            ? bySequence.headMap(deliveryTag, true)
            : bySequence.subMap(deliveryTag, true, deliveryTag, true);
    List<Pending> result = new ArrayList<>(settled.size());
    for (Long sequence : settled.keySet()) {
      Pending p = bySequence.remove(sequence);
      if (p != null) {
        result.add(p);
      }
    }
    return result;
  }
}
