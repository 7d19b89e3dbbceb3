package dev.outbox.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxMigrations;
import dev.outbox.OutboxTables;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageView;
import dev.outbox.testkit.TestDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console over real HTTP (the JDK's client) on a real outbox, for each database: read-only
 * refusal, CSRF and same-origin checks, escaping, the two-step actions, paging, the loopback rule,
 * errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConsoleContract {
  static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  private TestDatabase database;
  private HikariDataSource dataSource;
  private int tableCount;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  OutboxTables tables;
  private JdbcOutbox outbox;
  OutboxAdmin admin;

  /** A fresh schema on the database under test. */
  abstract TestDatabase createDatabase();

  @BeforeAll
  void database() {
    database = createDatabase();
    dataSource = database.dataSource("outbox-console-test", 4);
  }

  @AfterAll
  void close() {
    if (dataSource != null) {
      dataSource.close();
    }
    if (database != null) {
      database.close();
    }
  }

  @BeforeEach
  void freshTable() {
    tables = new OutboxTables(database.schema(), "console_" + (++tableCount));
    OutboxMigrations.migrate(dataSource, database.dialect(), tables);
    outbox = JdbcOutbox.builder(database.dialect()).tables(tables).build();
    admin = OutboxAdmin.builder(dataSource, database.dialect()).tables(tables).build();
  }

  private void enlist(OutboxMessage... messages) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      outbox.addAll(c, List.of(messages));
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("enlisting failed: " + e.getMessage(), e);
    }
  }

  OutboxConsole console(boolean write) {
    return OutboxConsole.builder(admin).writeAccess(write).build();
  }

  /** Enlists one message of {@code key} and moves it to the dead letters. */
  private DeadLetterView deadLetter(String topic, String key, String reason) {
    enlist(OutboxMessage.of(topic, key, "payload of " + key));
    assertThat(admin.deadLetterKeyHead(key, reason, false).rows()).isEqualTo(1);
    return admin.deadLetters(DeadLetterFilter.none().withKey(key), null, 10).items().get(0);
  }

  // ---- HTTP ----

  HttpResponse<String> get(URI uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(URI uri, String form, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String token(String page) {
    Matcher m = CSRF.matcher(page);
    assertThat(m.find()).as("a CSRF token in the page").isTrue();
    return m.group(1);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ---- tests ----

  @Test
  void readOnlyShowsTheBacklogButNoButtonsAndRefusesEveryPost() throws Exception {
    enlist(OutboxMessage.of("orders", "o-1", "x"), OutboxMessage.of("orders", "o-2", "y"));
    DeadLetterView dead = deadLetter("orders", "o-9", "broker said no");
    try (ConsoleServer s = console(false).start(0)) {
      HttpResponse<String> overview = get(s.uri());
      assertThat(overview.statusCode()).isEqualTo(200);
      assertThat(overview.body())
          .contains("read-only")
          .contains("orders")
          .doesNotContain("<button");
      assertThat(overview.body()).doesNotContain("name=\"csrf\"");
      HttpResponse<String> list = get(s.uri().resolve("dead-letters"));
      assertThat(list.body())
          .contains("broker said no")
          .doesNotContain("<button type=\"submit\" id=\"replay");

      for (String action :
          List.of("pause", "resume", "replay", "purge", "retry-key", "dead-letter-head")) {
        HttpResponse<String> r =
            post(
                s.uri().resolve("actions/" + action),
                "topic=orders&scope=ids&id=" + dead.id() + "&key=o-1&confirmed=yes");
        assertThat(r.statusCode()).as(action).isEqualTo(403);
        assertThat(r.body()).contains("read-only");
      }
    }
    assertThat(admin.paused()).isEmpty();
    assertThat(admin.deadLetter(dead.id())).isPresent();
  }

  @Test
  void aPostWithoutTheCsrfTokenOrFromAnotherOriginIsRefused() throws Exception {
    DeadLetterView dead = deadLetter("orders", "k-1", "boom");
    try (ConsoleServer s = console(true).start(0)) {
      URI replay = s.uri().resolve("actions/replay");
      String form = "scope=ids&id=" + dead.id() + "&confirmed=yes";

      HttpResponse<String> missing = post(replay, form);
      assertThat(missing.statusCode()).isEqualTo(403);
      assertThat(missing.body()).contains("CSRF token is missing");

      HttpResponse<String> wrong = post(replay, form + "&csrf=guessed");
      assertThat(wrong.statusCode()).isEqualTo(403);

      String token = token(get(s.uri()).body());
      HttpResponse<String> foreign =
          post(replay, form + "&csrf=" + enc(token), "Origin", "http://evil.example");
      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(foreign.body()).contains("another origin");

      assertThat(admin.deadLetter(dead.id())).as("nothing replayed yet").isPresent();

      String origin = "http://127.0.0.1:" + s.address().getPort();
      HttpResponse<String> ok = post(replay, form + "&csrf=" + enc(token), "Origin", origin);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("Replayed 1 dead letter");
    }
    assertThat(admin.deadLetter(dead.id())).isEmpty();
    assertThat(admin.pending(MessageFilter.any().withKey("k-1"), null, 10).items()).hasSize(1);
  }

  @Test
  void anActionAsksForConfirmationWithTheDryRunCountFirst() throws Exception {
    deadLetter("payments", "p-1", "timeout");
    deadLetter("payments", "p-2", "timeout");
    deadLetter("orders", "o-1", "timeout");
    try (ConsoleServer s = console(true).start(0)) {
      String token = token(get(s.uri().resolve("dead-letters")).body());
      HttpResponse<String> ask =
          post(s.uri().resolve("actions/purge"), "scope=filter&topic=payments&csrf=" + enc(token));
      assertThat(ask.statusCode()).isEqualTo(200);
      assertThat(ask.body())
          .contains("This will purge <strong id=\"count\">2</strong> dead letters")
          .contains("name=\"confirmed\" value=\"yes\"");
      assertThat(admin.deadLetters(DeadLetterFilter.none(), null, 10).items())
          .as("the first step changes nothing")
          .hasSize(3);

      HttpResponse<String> done =
          post(
              s.uri().resolve("actions/purge"),
              "scope=filter&topic=payments&confirmed=yes&csrf=" + enc(token));
      assertThat(done.body()).contains("Purged 2 dead letters");
    }
    assertThat(admin.deadLetters(DeadLetterFilter.none(), null, 10).items())
        .extracting(DeadLetterView::topic)
        .containsExactly("orders");
  }

  @Test
  void topicsKeysAndErrorsAreEscaped() throws Exception {
    String topic = "<script>alert('t')</script>";
    String key = "\"><img src=x onerror=alert(1)>";
    enlist(OutboxMessage.of(topic, key, "x"));
    enlist(OutboxMessage.of(topic, "k2", "x"));
    admin.deadLetterKeyHead("k2", "<b>bold</b> & co", false);
    admin.pause(topic, "<i>why</i>");
    try (ConsoleServer s = console(true).start(0)) {
      String overview = get(s.uri()).body();
      assertThat(overview)
          .doesNotContain("<script>")
          .doesNotContain("<i>why")
          .contains("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;")
          .contains("&lt;i&gt;why&lt;/i&gt;");
      String pending = get(s.uri().resolve("pending")).body();
      assertThat(pending).doesNotContain("<img").contains("&quot;&gt;&lt;img src=x");
      String dead = get(s.uri().resolve("dead-letters?topic=" + enc(topic))).body();
      assertThat(dead).doesNotContain("<b>bold").contains("&lt;b&gt;bold&lt;/b&gt; &amp; co");
      String diagnosis = get(s.uri().resolve("key?key=" + enc(key))).body();
      assertThat(diagnosis).doesNotContain("<img").doesNotContain("<script>");
    }
  }

  @Test
  void aDeadLetterPageShowsItsPayloadEscapedOrInHex() throws Exception {
    enlist(OutboxMessage.of("orders", "html", "<script>alert(1)</script> & more"));
    admin.deadLetterKeyHead("html", "refused", false);
    enlist(OutboxMessage.of("orders", "binary", new byte[] {0, 1, (byte) 0xff, '<'}));
    admin.deadLetterKeyHead("binary", "refused", false);
    try (ConsoleServer s = console(false).start(0)) {
      String text = get(s.uri().resolve("dead-letters/" + deadId("html"))).body();
      assertThat(text)
          .doesNotContain("<script>")
          .contains("payload (text):\n&lt;script&gt;alert(1)&lt;/script&gt; &amp; more");
      String hex = get(s.uri().resolve("dead-letters/" + deadId("binary"))).body();
      assertThat(hex).contains("payload (hex):\n00000000  00 01 ff 3c");
    }
  }

  private long deadId(String key) {
    return admin.deadLetters(DeadLetterFilter.none().withKey(key), null, 10).items().get(0).id();
  }

  @Test
  void bindingANonLoopbackAddressIsRefusedUnlessAllowed() throws Exception {
    OutboxConsole console = console(true);
    assertThatThrownBy(() -> console.start(new InetSocketAddress("0.0.0.0", 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-loopback address 0.0.0.0")
        .hasMessageContaining("allowNonLoopback(true)");
    OutboxConsole allowed = OutboxConsole.builder(admin).allowNonLoopback(true).build();
    try (ConsoleServer s = allowed.start(new InetSocketAddress("0.0.0.0", 0))) {
      assertThat(s.address().getPort()).isPositive();
    }
    try (ConsoleServer s = console.start(0)) {
      assertThat(s.address().getAddress().isLoopbackAddress()).isTrue();
    }
  }

  @Test
  void aLoopbackServerRefusesForeignHostNames() throws Exception {
    try (ConsoleServer s = console(false).start(0)) {
      assertThat(statusWithHost(s, "evil.example:" + s.address().getPort())).isEqualTo(403);
      assertThat(statusWithHost(s, "localhost:" + s.address().getPort())).isEqualTo(200);
      assertThat(statusWithHost(s, "127.0.0.1:" + s.address().getPort())).isEqualTo(200);
    }
  }

  private static int statusWithHost(ConsoleServer s, String host) throws IOException {
    try (Socket socket = new Socket(s.address().getAddress(), s.address().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  void unknownPathsAre404AndWrongMethods405() throws Exception {
    try (ConsoleServer s = console(true).start(0)) {
      assertThat(get(s.uri().resolve("nope")).statusCode()).isEqualTo(404);
      assertThat(get(s.uri().resolve("dead-letters/12345678")).statusCode()).isEqualTo(404);
      HttpResponse<String> getAction = get(s.uri().resolve("actions/replay"));
      assertThat(getAction.statusCode()).isEqualTo(405);
      assertThat(getAction.headers().firstValue("Allow")).hasValue("POST");
      HttpResponse<String> postPage = post(s.uri().resolve("dead-letters"), "a=b");
      assertThat(postPage.statusCode()).isEqualTo(405);
      assertThat(postPage.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }
  }

  @Test
  void deadLettersArePagedAndFiltered() throws Exception {
    for (int i = 1; i <= 5; i++) {
      deadLetter(i % 2 == 0 ? "even" : "odd", "page-" + i, "reason " + i);
    }
    try (ConsoleServer s = console(false).start(0)) {
      String first = get(s.uri().resolve("dead-letters?limit=2")).body();
      assertThat(first).contains("page-5").contains("page-4").doesNotContain("page-3");
      Matcher next = Pattern.compile("id=\"next\" href=\"([^\"]+)\"").matcher(first);
      assertThat(next.find()).isTrue();
      String second = get(s.uri().resolve(next.group(1).replace("&amp;", "&"))).body();
      assertThat(second).contains("page-3").contains("page-2").doesNotContain("page-4");

      String odd = get(s.uri().resolve("dead-letters?topic=odd")).body();
      assertThat(odd)
          .contains("page-1")
          .contains("page-3")
          .contains("page-5")
          .doesNotContain("page-2");
      String reason = get(s.uri().resolve("dead-letters?reason=" + enc("reason 4"))).body();
      assertThat(reason).contains("page-4").doesNotContain("page-1<");

      String pending = get(s.uri().resolve("pending?state=bogus")).body();
      assertThat(pending).contains("state must be DUE, LEASED or WAITING");
    }
  }

  @Test
  void mountedUnderAContextPathItsLinksAndFormsStayUnderIt() throws Exception {
    DeadLetterView dead = deadLetter("orders", "m-1", "gone");
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/ops/outbox", console(true).handler());
    server.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ops/outbox/");
      HttpResponse<String> overview = get(base);
      assertThat(overview.statusCode()).isEqualTo(200);
      assertThat(overview.body())
          .contains("href=\"/ops/outbox/dead-letters\"")
          .contains("action=\"/ops/outbox/actions/pause\"");
      HttpResponse<String> bare =
          get(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ops/outbox"));
      assertThat(bare.statusCode()).isEqualTo(303);
      assertThat(bare.headers().firstValue("Location")).hasValue("/ops/outbox/");
      HttpResponse<String> one = get(base.resolve("dead-letters/" + dead.id()));
      assertThat(one.body()).contains("gone").contains("action=\"/ops/outbox/actions/replay\"");
      assertThat(
              get(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ops/outboxx"))
                  .statusCode())
          .isEqualTo(404);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void inAServletContainerItServesThePagesAndTheTwoStepActionsUnderItsMapping() throws Exception {
    DeadLetterView dead = deadLetter("orders", "s-1", "broken <b>");
    Server jetty = new Server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    ServletContextHandler context = new ServletContextHandler("/app");
    context.addServlet(new ServletHolder(new OutboxConsoleServlet(console(true))), "/outbox/*");
    jetty.setHandler(context);
    jetty.start();
    try {
      int port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
      URI base = URI.create("http://127.0.0.1:" + port + "/app/outbox/");
      HttpResponse<String> bare = get(URI.create("http://127.0.0.1:" + port + "/app/outbox"));
      assertThat(bare.statusCode()).isEqualTo(303);
      assertThat(bare.headers().firstValue("Location")).hasValue("/app/outbox/");
      HttpResponse<String> overview = get(base);
      assertThat(overview.statusCode()).isEqualTo(200);
      assertThat(overview.headers().firstValue("Content-Security-Policy")).isPresent();
      assertThat(overview.body())
          .contains("href=\"/app/outbox/dead-letters\"")
          .contains("action=\"/app/outbox/actions/pause\"");
      HttpResponse<String> one = get(base.resolve("dead-letters/" + dead.id()));
      assertThat(one.body()).contains("broken &lt;b&gt;").doesNotContain("broken <b>");
      assertThat(get(base.resolve("console.css")).headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));

      String token = token(overview.body());
      HttpResponse<String> forged =
          post(base.resolve("actions/pause"), "topic=orders&confirmed=yes&csrf=wrong");
      assertThat(forged.statusCode()).isEqualTo(403);
      HttpResponse<String> ask =
          post(base.resolve("actions/pause"), "topic=orders&csrf=" + enc(token));
      assertThat(ask.statusCode()).isEqualTo(200);
      assertThat(ask.body())
          .contains("id=\"confirm\"")
          .contains("action=\"/app/outbox/actions/pause\"");
      assertThat(admin.paused()).isEmpty();
      HttpResponse<String> done =
          post(
              base.resolve("actions/pause"),
              "topic=orders&reason=servlet&confirmed=yes&csrf=" + enc(token),
              "Origin",
              "http://127.0.0.1:" + port);
      assertThat(done.body()).contains("Paused topic &#39;orders&#39;.");
      assertThat(admin.paused()).extracting(p -> p.topic()).containsExactly("orders");
      assertThat(get(base.resolve("nowhere")).statusCode()).isEqualTo(404);
    } finally {
      jetty.stop();
    }
  }

  @Test
  void keyDiagnosisRetriesAndDeadLettersTheHead() throws Exception {
    enlist(OutboxMessage.of("orders", "k-7", "first"), OutboxMessage.of("orders", "k-7", "second"));
    try (ConsoleServer s = console(true).start(0)) {
      HttpResponse<String> diagnosis = get(s.uri().resolve("key?key=k-7"));
      assertThat(diagnosis.body()).contains("id=\"verdict\"").contains("1 more wait");
      String token = token(diagnosis.body());
      HttpResponse<String> ask =
          post(s.uri().resolve("actions/dead-letter-head"), "key=k-7&csrf=" + enc(token));
      assertThat(ask.body()).contains("<span id=\"count\">1</span>");
      HttpResponse<String> done =
          post(
              s.uri().resolve("actions/dead-letter-head"),
              "key=k-7&reason=" + enc("poison pill") + "&confirmed=yes&csrf=" + enc(token));
      assertThat(done.body()).contains("Moved 1 message of key &#39;k-7&#39; to the dead letters");
    }
    List<MessageView> left = admin.pending(MessageFilter.any().withKey("k-7"), null, 10).items();
    assertThat(left).hasSize(1);
    assertThat(admin.deadLetters(DeadLetterFilter.none().withKey("k-7"), null, 10).items())
        .extracting(DeadLetterView::reason)
        .containsExactly("poison pill");
  }
}
