package dev.outbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outbox.Backoff;
import dev.outbox.JdbcOutbox;
import dev.outbox.Ordering;
import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import dev.outbox.spi.OutboxDialect;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code outbox} command against a real database: messages enlisted with {@link JdbcOutbox},
 * some killed by a sender that refuses them, then the commands' output and their changes checked.
 * Each test works on a fresh outbox table; subclasses say which database.
 */
abstract class OutboxCliContract {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The URL the command is given (it picks the dialect from it). */
  protected abstract String cliUrl();

  /** A pool on the same database, for enlisting and relaying. */
  protected abstract DataSource dataSource();

  protected abstract OutboxDialect dialect();

  /** A freshly migrated outbox table. */
  protected abstract OutboxTables newTables();

  private OutboxTables tables;

  @BeforeEach
  void freshTables() {
    tables = newTables();
  }

  // ---- helpers ----

  private CliRun cli(String... args) {
    return CliRun.run(Map.of(), null, withDatabase(args));
  }

  private CliRun answering(String answer, String... args) {
    return CliRun.run(
        Map.of(),
        new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)),
        withDatabase(args));
  }

  private String[] withDatabase(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--jdbc-url", cliUrl(), "--table", tables.table()));
    if (tables.schema() != null) {
      all.addAll(List.of("--schema", tables.schema()));
    }
    return all.toArray(String[]::new);
  }

  private CliRun ok(String... args) {
    CliRun run = cli(args);
    assertThat(run.exitCode()).as("%s%n%s", String.join(" ", args), run).isZero();
    return run;
  }

  private JsonNode json(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--json");
    CliRun run = ok(all.toArray(String[]::new));
    try {
      return JSON.readTree(run.out());
    } catch (Exception e) {
      throw new AssertionError("not one JSON document: " + run, e);
    }
  }

  private void enlist(OutboxMessage... messages) throws Exception {
    JdbcOutbox outbox = JdbcOutbox.builder(dialect()).tables(tables).build();
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      outbox.addAll(c, List.of(messages));
      c.commit();
    }
  }

  /** Relays until nothing is due: "dead…" payloads die, "retry…" fail once, the rest are sent. */
  private void relay() {
    Sender sender =
        batch ->
            CompletableFuture.completedFuture(
                batch.stream()
                    .map(
                        r -> {
                          String p = r.payloadAsString();
                          if (p.startsWith("dead")) {
                            return Outcome.dead(r, "refused: " + p);
                          }
                          if (p.startsWith("retry")) {
                            return Outcome.retry(r, new IllegalStateException("broker says no"));
                          }
                          return Outcome.sent(r);
                        })
                    .toList());
    try (OutboxRelay relay =
        OutboxRelay.builder(dataSource(), dialect(), sender)
            .tables(tables)
            .ordering(Ordering.PER_KEY)
            .backoff(Backoff.fixed(Duration.ofMinutes(10)))
            .name("cli-test")
            .build()) {
      for (int i = 0; i < 10 && relay.runOnce() > 0; i++) {
        // until nothing is due
      }
    }
  }

  /**
   * orders/k1: dead-1 (dies), then ok-1 (sent); orders/k2: retry-1 (waits); billing/k3: dead-2
   * (dies).
   */
  private void seed() throws Exception {
    enlist(
        OutboxMessage.of("orders", "k1", "dead-1"),
        OutboxMessage.of("orders", "k1", "ok-1"),
        OutboxMessage.of("orders", "k2", "retry-1"),
        OutboxMessage.of("billing", "k3", "dead-2"));
    relay();
  }

  private List<Long> deadIds(String... filter) {
    List<String> args = new ArrayList<>(List.of("dead", "list"));
    args.addAll(List.of(filter));
    List<Long> ids = new ArrayList<>();
    json(args.toArray(String[]::new)).get("items").forEach(n -> ids.add(n.get("id").asLong()));
    return ids;
  }

  // ---- tests ----

  @Test
  void overviewCountsByTopicAndState() throws Exception {
    seed();

    JsonNode o = json("overview", "--sent-window", "1h");
    assertThat(o.get("pending").asLong()).isEqualTo(1);
    assertThat(o.get("deadLetters").asLong()).isEqualTo(2);
    assertThat(o.get("attempts").get("1").asLong()).isEqualTo(1);
    JsonNode orders = o.get("topics").get(1);
    assertThat(orders.get("topic").asText()).isEqualTo("orders");
    assertThat(orders.get("waiting").asLong()).isEqualTo(1);
    assertThat(orders.get("dead").asLong()).isEqualTo(1);
    assertThat(orders.get("sentRecently").asLong()).isEqualTo(1);

    String human = ok("overview").out();
    assertThat(human)
        .contains("pending 1, the oldest for ")
        .contains("dead letters 2")
        .containsPattern("(?m)^TOPIC +PENDING +DUE +LEASED +WAITING +DEAD +SENT\\(1h\\) +PAUSED$")
        .containsPattern("(?m)^billing +0 +0 +0 +0 +1 +0 +no$")
        .containsPattern("(?m)^orders +1 +0 +0 +1 +1 +1 +no$")
        .containsPattern("(?m)^1 +1$")
        .contains("no paused topics");
  }

  @Test
  void deadLettersAndPendingMessagesAreListedAndShown() throws Exception {
    seed();

    JsonNode dead = json("dead", "list");
    assertThat(dead.get("items")).hasSize(2);
    assertThat(dead.get("nextCursor").isNull()).isTrue();
    // Newest first; which of the two died first depends on where the relay's key walk started.
    List<Long> listed = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    dead.get("items")
        .forEach(
            n -> {
              listed.add(n.get("id").asLong());
              reasons.add(n.get("reason").asText());
            });
    assertThat(listed).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(reasons).containsExactlyInAnyOrder("refused: dead-1", "refused: dead-2");
    assertThat(json("dead", "list", "--topic", "orders", "--since", "1h").get("items"))
        .singleElement()
        .satisfies(n -> assertThat(n.get("key").asText()).isEqualTo("k1"));
    assertThat(json("dead", "list", "--before", "1h").get("items")).isEmpty();
    assertThat(json("dead", "list", "--limit", "1").get("nextCursor").asText()).isNotEmpty();

    String table = ok("dead", "list", "--reason", "dead-1").out();
    assertThat(table)
        .containsPattern("(?m)^ID +ORIGINAL ID +TOPIC +KEY +DEAD AT +ATTEMPTS +REPLAYS +REASON$")
        .containsPattern("(?m)^\\d+ +\\d+ +orders +k1 +\\S+Z +1 +0 +refused: dead-1$");
    long id = deadIds("--key", "k1").get(0);
    assertThat(ok("dead", "show", Long.toString(id)).out())
        .containsPattern("(?m)^reason: +refused: dead-1$");
    assertThat(cli("dead", "show", "999999").exitCode()).isEqualTo(OutboxCli.EXIT_FAILED);

    JsonNode waiting = json("messages", "--state", "waiting");
    assertThat(waiting.get("items")).hasSize(1);
    JsonNode m = waiting.get("items").get(0);
    assertThat(m.get("key").asText()).isEqualTo("k2");
    assertThat(m.get("lastError").asText()).contains("broker says no");
    // The last error wraps under its column when the line would be too long: read it unwrapped.
    assertThat(ok("messages", "--topic", "orders").out().replaceAll("\\s+", " "))
        .containsPattern("\\d+ orders k2 WAITING 1 .*IllegalStateException: broker says no");
    assertThat(ok("message", m.get("id").asText()).out())
        .containsPattern("(?m)^key: +k2$")
        .contains("payload (text):\nretry-1\n");
    assertThat(json("message", "--message-id", m.get("messageId").asText()).get("items"))
        .hasSize(1);
    assertThat(cli("message", "999999").exitCode()).isEqualTo(OutboxCli.EXIT_FAILED);
  }

  @Test
  void aReplayNeedsAConfirmationAndPutsTheMessageBackToPending() throws Exception {
    seed();
    long id = deadIds("--key", "k1").get(0);

    CliRun refused = cli("dead", "replay", "--id", Long.toString(id));
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(OutboxCli.EXIT_NOT_CONFIRMED);
    assertThat(refused.out()).contains("would replay 1 dead letter(s): ids " + id);
    assertThat(refused.err()).contains("no terminal").contains("--yes");
    CliRun no = answering("n\n", "dead", "replay", "--id", Long.toString(id));
    assertThat(no.exitCode()).isEqualTo(OutboxCli.EXIT_NOT_CONFIRMED);
    assertThat(no.err()).contains("replay 1 dead letter(s)? [y/N]");
    assertThat(ok("dead", "replay", "--id", Long.toString(id), "--dry-run").out())
        .contains("would replay 1 dead letter(s)");
    assertThat(deadIds()).hasSize(2);

    assertThat(ok("dead", "replay", "--id", Long.toString(id), "--yes").out())
        .contains("replayed 1 dead letter(s): ids " + id);
    assertThat(deadIds()).hasSize(1);
    JsonNode pending = json("messages", "--key", "k1");
    assertThat(pending.get("items"))
        .singleElement()
        .satisfies(n -> assertThat(n.get("state").asText()).isEqualTo("DUE"));

    JsonNode purged = json("dead", "purge", "--before", "0s", "--yes");
    assertThat(purged.get("action").asText()).isEqualTo("purge");
    assertThat(purged.get("rows").asLong()).isEqualTo(1);
    assertThat(purged.get("dryRun").asBoolean()).isFalse();
    assertThat(deadIds()).isEmpty();
    assertThat(ok("dead", "purge", "--all", "--dry-run").out())
        .contains("nothing to purge: no dead letter(s) match");
  }

  @Test
  void aPurgeAskedOnTheTerminalDeletesWhatMatched() throws Exception {
    seed();
    CliRun run = answering("yes\n", "dead", "purge", "--topic", "billing");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("would purge 1").contains("purged 1 dead letter(s)");
    assertThat(deadIds()).hasSize(1);
    assertThat(deadIds("--topic", "billing")).isEmpty();
  }

  @Test
  void aKeyIsDiagnosedRetriedAndDeadLettered() throws Exception {
    seed();

    assertThat(ok("key", "k2").out())
        .contains("key k2: its head (id ")
        .contains("waits for attempt 2")
        .containsPattern("(?m)^state: +WAITING$");
    JsonNode k1 = json("key", "k1");
    assertThat(k1.get("head").isNull()).isTrue();
    assertThat(k1.get("deadLetters").asLong()).isEqualTo(1);

    assertThat(cli("key", "k2", "--retry").exitCode()).isEqualTo(OutboxCli.EXIT_NOT_CONFIRMED);
    assertThat(ok("key", "k2", "--retry", "--yes").out())
        .contains("made due now 1 head message(s) of key 'k2'");
    assertThat(json("key", "k2").get("head").get("state").asText()).isEqualTo("DUE");

    assertThat(ok("key", "k2", "--dead-letter", "--reason", "stuck on purpose", "--yes").out())
        .contains("dead-lettered 1 head message(s) of key 'k2'");
    assertThat(json("dead", "list", "--key", "k2").get("items").get(0).get("reason").asText())
        .isEqualTo("stuck on purpose");
    assertThat(json("key", "k2").get("pending").asLong()).isZero();
  }

  @Test
  void aTopicIsPausedAndResumed() throws Exception {
    seed();

    CliRun refused = cli("pause", "orders");
    assertThat(refused.exitCode()).isEqualTo(OutboxCli.EXIT_NOT_CONFIRMED);
    assertThat(refused.out()).contains("would pause topic 'orders'");
    assertThat(json("paused").get("paused")).isEmpty();

    assertThat(ok("pause", "orders", "--reason", "broker maintenance", "--yes").out())
        .contains("paused topic 'orders'");
    assertThat(ok("paused").out())
        .containsPattern("(?m)^PAUSED TOPIC +SINCE +REASON$")
        .containsPattern("(?m)^orders +\\S+Z +broker maintenance$");
    assertThat(ok("pause", "orders", "--yes").out()).contains("is already paused since");
    JsonNode orders = json("overview").get("topics").get(1);
    assertThat(orders.get("paused").asBoolean()).isTrue();
    assertThat(json("key", "k2").get("paused").asBoolean()).isTrue();

    assertThat(ok("resume", "orders", "--yes").out()).contains("resumed topic 'orders'");
    assertThat(json("paused").get("paused")).isEmpty();
    assertThat(ok("resume", "orders").out()).contains("topic 'orders' is not paused");

    assertThat(ok("pause", "--all", "--yes").out()).contains("paused all topics");
    assertThat(ok("overview").out()).contains("ALL TOPICS ARE PAUSED");
    assertThat(ok("resume", "orders").out()).contains("resume --all lifts that");
    JsonNode resumed = json("resume", "--all", "--yes");
    assertThat(resumed.get("changed").asBoolean()).isTrue();
    assertThat(json("paused").get("paused")).isEmpty();
  }

  @Test
  void theConsoleServesOnLoopbackAndRefusesAnyOtherAddressUnlessAllowed() throws Exception {
    seed();
    CliRun served = ok("console", "--port", "0", "--run-for", "300ms");
    assertThat(served.out()).contains("outbox console for ").contains("http://127.0.0.1:");
    assertThat(served.out()).contains("(read-only)");

    CliRun open = cli("console", "--bind", "0.0.0.0", "--port", "0", "--run-for", "100ms");
    assertThat(open.exitCode()).as(open.toString()).isEqualTo(OutboxCli.EXIT_USAGE);
    assertThat(open.err())
        .contains("non-loopback address 0.0.0.0")
        .contains("--allow-non-loopback");

    CliRun badPort = cli("console", "--port", "70000");
    assertThat(badPort.exitCode()).as(badPort.toString()).isEqualTo(OutboxCli.EXIT_USAGE);
    assertThat(badPort.err()).contains("--port must be between 0 and 65535");
  }

  @Test
  void deadShowPrintsThePayloadAsTextOrHexAndWhatWasLeftOut() throws Exception {
    byte[] binary = {'d', 'e', 'a', 'd', 1, 2, (byte) 0xff, (byte) 0xfe, 0x7f, 'a'};
    String longText = "dead-long" + "ü".repeat(OutboxAdmin.PAYLOAD_PREVIEW_BYTES);
    enlist(
        OutboxMessage.of("orders", "text", "dead-text {\"order\": 42}\n\tsecond line"),
        OutboxMessage.of("orders", "binary", binary),
        OutboxMessage.of("orders", "long", longText));
    relay();

    String text = ok("dead", "show", Long.toString(deadIds("--key", "text").get(0))).out();
    assertThat(text)
        .contains("payload (text):\ndead-text {\"order\": 42}\n\tsecond line\n")
        .doesNotContain("left out");
    String hex = ok("dead", "show", Long.toString(deadIds("--key", "binary").get(0))).out();
    assertThat(hex).contains("payload (hex):\n00000000  64 65 61 64 01 02 ff fe 7f 61\n");
    long longId = deadIds("--key", "long").get(0);
    String cut = ok("dead", "show", Long.toString(longId)).out();
    int size = longText.getBytes(StandardCharsets.UTF_8).length;
    // 9 bytes and 2,043 two-byte "ü" take 4,095 bytes: the 4,096th, half an "ü", is not shown
    assertThat(cut)
        .contains("payload (text):\ndead-long" + "ü".repeat(2043) + "\n…")
        .containsPattern(
            String.format(
                Locale.ROOT,
                "(?m)^… %,d bytes left out$",
                size - OutboxAdmin.PAYLOAD_PREVIEW_BYTES));
    JsonNode json = json("dead", "show", Long.toString(longId));
    assertThat(json.get("payloadSize").asLong()).isEqualTo(size);
    assertThat(Base64.getDecoder().decode(json.get("payloadPreview").asText()))
        .isEqualTo(Arrays.copyOf(longText.getBytes(StandardCharsets.UTF_8), 4096));
  }

  @Test
  void aLongReasonIsWrappedInTheTableAndWholeInJson() throws Exception {
    String words =
        "dead-long the broker refused the record because schema version 7 is not registered"
            + " for subject orders-value; register it, or replay with the previous schema";
    enlist(OutboxMessage.of("orders", "k9", words));
    relay();

    String reason = "refused: " + words;
    assertThat(json("dead", "list").get("items").get(0).get("reason").asText()).isEqualTo(reason);
    List<String> lines = ok("dead", "list").out().lines().toList();
    assertThat(lines).hasSizeGreaterThan(2);
    int column = lines.get(0).indexOf("REASON");
    String printed =
        lines.stream()
            .skip(1)
            .map(l -> l.substring(column))
            .reduce((a, b) -> a + " " + b)
            .orElseThrow();
    assertThat(printed).isEqualTo(reason);
    assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(Table.LINE_WIDTH));
  }

  @Test
  void aTableTheConnectionDoesNotReachGetsTheSchemaHint() {
    // No --schema: PostgreSQL looks in the search path and finds no such table; a MySQL or
    // MariaDB URL without a database has no database selected at all. Both name --schema.
    CliRun run =
        CliRun.run(
            Map.of(), null, "overview", "--jdbc-url", cliUrl(), "--table", "outbox_not_here");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(OutboxCli.EXIT_FAILED);
    assertThat(run.err()).as(run.toString()).contains("--schema");
  }

  @Test
  void aRefusedUserGetsAdviceAboutCredentialsNotAboutTheServer() {
    String url = cliUrl().replaceAll("(?<=[?&;])(user|password)=[^&;]*[&;]?", "");
    CliRun run =
        CliRun.run(
            Map.of(),
            null,
            "overview",
            "--jdbc-url",
            url,
            "--user",
            "outbox_no_such_user",
            "--password",
            "wrong");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(OutboxCli.EXIT_UNREACHABLE);
    assertThat(run.err())
        .as(run.toString())
        .contains("as user 'outbox_no_such_user'")
        .contains("check --user and --password")
        .doesNotContain("running there");
  }
}
