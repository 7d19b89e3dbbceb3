package dev.outbox.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxMessage;
import dev.outbox.OutboxTables;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.admin.PausedTopic;
import dev.outbox.postgres.TestPostgres;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in a real browser: Debian's chromium, headless, driven through its chromedriver
 * (never a downloaded one: Selenium Manager is skipped because the driver's path is given). Clicks
 * through the overview, replays a dead letter, pauses and resumes a topic, and checks each change
 * through the admin API.
 *
 * <p>The binaries default to {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}; override
 * with {@code -Doutbox.test.chromium=...} / {@code -Doutbox.test.chromedriver=...} or the
 * environment variables {@code OUTBOX_TEST_CHROMIUM} / {@code OUTBOX_TEST_CHROMEDRIVER}. Missing
 * binaries fail the test under {@code CI=true} (.ci/run installs them) and skip it elsewhere. With
 * {@code -Doutbox.console.screenshot=PATH} the overview's screenshot is also copied to PATH (the
 * one in docs/operations.md is made with {@code -Doutbox.console.screenshot=../docs/console.png}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboxConsoleBrowserIT {
  private TestPostgres pg;
  private OutboxAdmin admin;
  private ConsoleServer server;
  private WebDriver browser;

  private static String setting(String property, String env, String fallback) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    return v == null || v.isBlank() ? fallback : v.strip();
  }

  @BeforeAll
  void start() {
    File chromium =
        new File(setting("outbox.test.chromium", "OUTBOX_TEST_CHROMIUM", "/usr/bin/chromium"));
    File driver =
        new File(
            setting(
                "outbox.test.chromedriver", "OUTBOX_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));
    if (!chromium.canExecute() || !driver.canExecute()) {
      String why =
          "the browser test needs chromium at "
              + chromium
              + " and chromedriver at "
              + driver
              + " (Debian: apt-get install chromium chromium-driver; .ci/run installs them), or"
              + " -Doutbox.test.chromium / -Doutbox.test.chromedriver pointing at them";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true and " + why);
      }
      Assumptions.abort("skipped: " + why);
    }

    pg = TestPostgres.create();
    OutboxTables tables = pg.newOutboxTable();
    JdbcOutbox outbox = TestPostgres.outbox(tables);
    admin = OutboxAdmin.builder(pg.dataSource(), pg.dialect()).tables(tables).build();
    pg.enlist(
        outbox,
        OutboxMessage.of("orders", "order-1", "{\"total\": 12}"),
        OutboxMessage.of("orders", "order-2", "{\"total\": 7}"),
        OutboxMessage.of("orders", "order-3", "{\"total\": 31}"),
        OutboxMessage.of("payments", "card-4411", "{\"amount\": 12}"),
        OutboxMessage.of("shipments", "parcel-9", "{\"to\": \"Lyon\"}"));
    pg.enlist(outbox, OutboxMessage.of("payments", "card-0007", "{\"amount\": 99}"));
    admin.deadLetterKeyHead("card-0007", "broker refused: 503 Service Unavailable", false);
    pg.enlist(outbox, OutboxMessage.of("shipments", "parcel-3", "{\"to\": \"Oslo\"}"));
    admin.deadLetterKeyHead("parcel-3", "no route for country code 'XX'", false);

    server = OutboxConsole.builder(admin).writeAccess(true).build().start(0);

    // The driver's path is given, so Selenium never runs Selenium Manager (which would download).
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, driver.getAbsolutePath());
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(driver).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--no-first-run",
        "--disable-extensions");
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(5));
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  private WebElement topicRow(String topic) {
    return browser.findElement(By.cssSelector("#topics tr[data-topic='" + topic + "']"));
  }

  private String cell(WebElement row, int column) {
    return row.findElements(By.tagName("td")).get(column).getText();
  }

  @Test
  void clicksThroughOverviewReplayPauseAndResume() throws Exception {
    // The overview shows the backlog by topic.
    browser.get(server.uri().toString());
    assertThat(browser.getTitle()).isEqualTo("Outbox console: Overview");
    assertThat(browser.findElement(By.id("pending")).getText()).isEqualTo("5");
    assertThat(browser.findElement(By.id("dead")).getText()).isEqualTo("2");
    WebElement orders = topicRow("orders");
    assertThat(cell(orders, 4)).as("orders pending").isEqualTo("3");
    assertThat(cell(topicRow("payments"), 5)).as("payments dead").isEqualTo("1");

    // The dead-letters page lists the dead letter; replay it, confirming the dry run's count.
    browser.findElement(By.linkText("Dead letters")).click();
    DeadLetterView dead =
        admin.deadLetters(DeadLetterFilter.none().withKey("card-0007"), null, 10).items().get(0);
    WebElement row =
        browser.findElement(By.cssSelector("#dead-letters tr[data-id='" + dead.id() + "']"));
    assertThat(row.getText()).contains("card-0007").contains("broker refused: 503");
    row.findElement(By.cssSelector("input[type=checkbox]")).click();
    browser.findElement(By.id("replay-selected")).click();
    assertThat(browser.findElement(By.id("count")).getText()).isEqualTo("1");
    assertThat(admin.deadLetter(dead.id())).as("the confirmation page changes nothing").isPresent();
    browser.findElement(By.id("confirm")).click();
    assertThat(browser.findElement(By.id("result")).getText()).isEqualTo("Replayed 1 dead letter.");
    browser.findElement(By.id("back")).click();
    assertThat(browser.findElement(By.id("dead-letters")).getText())
        .contains("parcel-3")
        .doesNotContain("card-0007");
    assertThat(admin.deadLetter(dead.id())).isEmpty();
    List<MessageView> again =
        admin.pending(MessageFilter.any().withKey("card-0007"), null, 10).items();
    assertThat(again).hasSize(1);
    assertThat(again.get(0).state()).isEqualTo(MessageState.DUE);
    assertThat(again.get(0).messageId()).isEqualTo(dead.messageId());

    // Pause a topic, with a reason, confirming.
    browser.findElement(By.linkText("Overview")).click();
    topicRow("orders").findElement(By.cssSelector("button.pause")).click();
    browser.findElement(By.id("reason")).sendKeys("broker maintenance until 14:00");
    browser.findElement(By.id("confirm")).click();
    assertThat(browser.findElement(By.id("result")).getText()).isEqualTo("Paused topic 'orders'.");
    browser.findElement(By.id("back")).click();
    assertThat(topicRow("orders").findElement(By.cssSelector("td.state")).getText())
        .isEqualTo("paused");
    assertThat(browser.findElement(By.id("pauses")).getText())
        .contains("broker maintenance until 14:00");
    assertThat(admin.paused())
        .extracting(PausedTopic::topic, PausedTopic::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("orders", "broker maintenance until 14:00"));
    screenshot();

    // Resume it.
    topicRow("orders").findElement(By.cssSelector("button.resume")).click();
    assertThat(browser.findElement(By.id("explain")).getText()).contains("topic 'orders'");
    browser.findElement(By.id("confirm")).click();
    assertThat(browser.findElement(By.id("result")).getText()).isEqualTo("Resumed topic 'orders'.");
    browser.findElement(By.id("back")).click();
    assertThat(topicRow("orders").findElement(By.cssSelector("td.state")).getText())
        .isEqualTo("running");
    assertThat(admin.paused()).isEmpty();
  }

  /** The overview's screenshot into target/, and where -Doutbox.console.screenshot says. */
  private void screenshot() throws Exception {
    byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
    Path target = Path.of("target", "console.png");
    Files.createDirectories(target.getParent());
    Files.write(target, png);
    String copy = System.getProperty("outbox.console.screenshot");
    if (copy != null && !copy.isBlank()) {
      Path to = Path.of(copy);
      if (to.getParent() != null) {
        Files.createDirectories(to.getParent());
      }
      Files.copy(target, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
