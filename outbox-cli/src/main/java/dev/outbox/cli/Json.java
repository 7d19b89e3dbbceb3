package dev.outbox.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outbox.admin.Change;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.KeyDiagnosis;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.Overview;
import dev.outbox.admin.Page;
import dev.outbox.admin.PausedTopic;
import dev.outbox.admin.RelayView;
import dev.outbox.admin.TopicCounts;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The machine output of {@code --json}: one document per run, with field names as in the admin
 * API's records, times as ISO-8601 instants (UTC) and durations as whole seconds ({@code
 * ...Seconds}), and bytes (a payload's preview) in base64.
 */
final class Json {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static void print(PrintStream out, JsonNode doc) {
    try {
      out.println(MAPPER.writeValueAsString(doc));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> ArrayNode array(List<T> items, Function<T, JsonNode> each) {
    ArrayNode a = MAPPER.createArrayNode();
    items.forEach(i -> a.add(each.apply(i)));
    return a;
  }

  /** A page: its items and the cursor of the next one (null on the last). */
  static <T> ObjectNode page(Page<T> page, Function<T, JsonNode> each) {
    ObjectNode doc = object();
    doc.set("items", array(page.items(), each));
    doc.put("nextCursor", page.nextCursor());
    return doc;
  }

  static ObjectNode overview(Overview o) {
    ObjectNode n = object();
    n.put("at", text(o.at()));
    n.put("pending", o.pending());
    n.put("oldestPendingAgeSeconds", o.oldestPendingAge().getSeconds());
    n.put("deadLetters", o.deadLetters());
    n.put("sentWindowSeconds", o.sentWindow().getSeconds());
    n.put("allPaused", o.allPaused());
    n.set("topics", array(o.topics(), Json::topic));
    ObjectNode attempts = n.putObject("attempts");
    o.attempts().forEach((k, v) -> attempts.put(Integer.toString(k), v));
    n.set("relays", array(o.relays(), Json::relay));
    n.set("paused", array(o.paused(), Json::paused));
    return n;
  }

  static ObjectNode topic(TopicCounts t) {
    ObjectNode n = object();
    n.put("topic", t.topic());
    n.put("pending", t.pending());
    n.put("due", t.due());
    n.put("leased", t.leased());
    n.put("waiting", t.waiting());
    n.put("dead", t.dead());
    n.put("sentRecently", t.sentRecently());
    n.put("paused", t.paused());
    return n;
  }

  static ObjectNode relay(RelayView r) {
    ObjectNode n = object();
    n.put("instance", r.instance());
    n.put("name", r.name());
    n.put("host", r.host());
    n.put("startedAt", text(r.startedAt()));
    n.put("seenAt", text(r.seenAt()));
    n.put("lastClaimAt", text(r.lastClaimAt()));
    n.put("inFlight", r.inFlight());
    return n;
  }

  static ObjectNode paused(PausedTopic p) {
    ObjectNode n = object();
    n.put("topic", p.topic());
    n.put("allTopics", p.allTopics());
    n.put("pausedAt", text(p.pausedAt()));
    n.put("reason", p.reason());
    return n;
  }

  static ObjectNode message(MessageView m) {
    ObjectNode n = object();
    n.put("id", m.id());
    n.put("messageId", text(m.messageId()));
    n.put("topic", m.topic());
    n.put("key", m.key());
    n.put("state", text(m.state()));
    n.put("attempts", m.attempts());
    n.put("createdAt", text(m.createdAt()));
    n.put("nextAttemptAt", text(m.nextAttemptAt()));
    n.put("lastError", m.lastError());
    n.put("leaseToken", text(m.leaseToken()));
    n.put("leaseUntil", text(m.leaseUntil()));
    n.put("leaseOwner", m.leaseOwner());
    n.put("sentAt", text(m.sentAt()));
    n.put("payloadSize", m.payloadSize());
    n.set("headers", headers(m.headers()));
    if (m.payloadPreview() != null) {
      n.put("payloadPreview", m.payloadPreview());
    }
    return n;
  }

  static ObjectNode deadLetter(DeadLetterView d) {
    ObjectNode n = object();
    n.put("id", d.id());
    n.put("originalId", d.originalId());
    n.put("messageId", text(d.messageId()));
    n.put("topic", d.topic());
    n.put("key", d.key());
    n.put("createdAt", text(d.createdAt()));
    n.put("attempts", d.attempts());
    n.put("reason", d.reason());
    n.put("deadAt", text(d.deadAt()));
    n.put("replayCount", d.replayCount());
    n.put("payloadSize", d.payloadSize());
    n.set("headers", headers(d.headers()));
    if (d.payloadPreview() != null) {
      n.put("payloadPreview", d.payloadPreview());
    }
    return n;
  }

  static ObjectNode key(KeyDiagnosis k) {
    ObjectNode n = object();
    n.put("key", k.key());
    n.put("pending", k.pending());
    n.put("deadLetters", k.deadLetters());
    n.put("paused", k.paused());
    n.put("verdict", k.verdict());
    if (k.head().isPresent()) {
      n.set("head", message(k.head().get()));
    } else {
      n.putNull("head");
    }
    return n;
  }

  /** A change: {@code action}, {@code dryRun}, {@code rows} and the {@code sample} of ids. */
  static ObjectNode change(String action, Change c) {
    ObjectNode n = object();
    n.put("action", action);
    n.put("dryRun", c.dryRun());
    n.put("rows", c.rows());
    ArrayNode sample = n.putArray("sample");
    c.sample().forEach(sample::add);
    return n;
  }

  private static ObjectNode headers(Map<String, String> headers) {
    ObjectNode n = object();
    if (headers != null) {
      headers.forEach(n::put);
    }
    return n;
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }
}
