package dev.outbox.testkit;

import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxRelay;
import dev.outbox.OutboxTables;
import dev.outbox.Outcome;
import dev.outbox.Sender;
import dev.outbox.spi.OutboxDialect;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A relay in its own JVM, for crash tests: claims one batch, prints {@code CLAIMED <n>}, and hangs
 * in the sender until the test kills the process; or keeps delivering, printing each message id it
 * sends, until the test kills it; or does the same through a real broker's sender.
 *
 * <p>Arguments: dialect class (with a no-argument constructor), JDBC URL, schema, table, optionally
 * the batches in flight and the file a delivering process writes its sends to.
 */
public final class RelayProcess {
  private static final String SENT = "SENT ";

  /** The lease the process claims with. */
  static final Duration LEASE = Duration.ofSeconds(60);

  private RelayProcess() {}

  /** Starts a relay process on the test's table; it claims one batch and hangs. */
  static Process start(TestDatabase db, OutboxDialect dialect, OutboxTables tables)
      throws IOException {
    return startPipelined(db, dialect, tables, 1);
  }

  /**
   * Starts a relay process on the test's table with {@code inFlight} batches in flight (of 10
   * messages each when more than one); it keeps claiming until that many batches hang in its
   * sender.
   */
  static Process startPipelined(
      TestDatabase db, OutboxDialect dialect, OutboxTables tables, int inFlight)
      throws IOException {
    return startChild(db, dialect, tables, Integer.toString(inFlight));
  }

  private static Process startChild(
      TestDatabase db, OutboxDialect dialect, OutboxTables tables, String... more)
      throws IOException {
    List<String> args = childArgs(db, dialect, tables);
    args.addAll(List.of(more));
    return ChildJvm.start(RelayProcess.class, args.toArray(String[]::new));
  }

  private static List<String> childArgs(
      TestDatabase db, OutboxDialect dialect, OutboxTables tables) {
    return new ArrayList<>(
        List.of(dialect.getClass().getName(), db.jdbcUrl(), tables.schema(), tables.table()));
  }

  /** Waits up to a minute for {@code count} {@code CLAIMED <n>} lines. */
  static void awaitClaims(Process p, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      awaitClaim(p);
    }
  }

  private static final Map<Process, BufferedReader> READERS = new ConcurrentHashMap<>();

  /** Waits up to a minute for the process's next {@code CLAIMED <n>} line and returns it. */
  static String awaitClaim(Process p) throws Exception {
    List<String> output = new ArrayList<>();
    String found = nextLine(p, "CLAIMED ", output);
    if (found == null) {
      throw new AssertionError("relay process ended without claiming: " + output);
    }
    return found;
  }

  /**
   * Starts a relay process on the test's table that delivers: its sender appends {@code SENT
   * <message id>} to {@code sentFile} for each record, a millisecond apart, and reports them sent.
   * Batches of 20, two in flight, {@link #LEASE}. A file, not the process's output: what the
   * process wrote before it was killed can still be read afterwards.
   */
  static Process startDelivering(
      TestDatabase db, OutboxDialect dialect, OutboxTables tables, Path sentFile)
      throws IOException {
    return startChild(db, dialect, tables, "2", sentFile.toString());
  }

  /**
   * As {@link #startDelivering}, but the process's sender fails {@code failPercent}% of the records
   * at random, each independently of the others: a failed record is reported retry and never
   * written to {@code sentFile} (it did not reach the broker); the others are.
   */
  static Process startFailing(
      TestDatabase db, OutboxDialect dialect, OutboxTables tables, Path sentFile, int failPercent)
      throws IOException {
    return startChild(db, dialect, tables, "2", sentFile.toString(), Integer.toString(failPercent));
  }

  /**
   * Builds, inside a relay process, the real sender it delivers through. Implement it in a public
   * class with a public no-argument constructor: the process finds it by name.
   */
  @FunctionalInterface
  public interface SenderFactory {
    /**
     * The sender, for {@code config} (what the test passed, such as bootstrap servers or a URI).
     *
     * @throws Exception if the sender cannot be built; the process ends
     */
    Sender create(String config) throws Exception;
  }

  /**
   * Starts a relay process on the test's table that delivers through the sender {@code factory}
   * builds from {@code config}: batches of 20, two in flight, under {@code lease}. Its sender hands
   * the real one each record of a batch alone, in order; once the broker has confirmed a record it
   * appends {@code SENT <message id>} to {@code sentFile} and pauses 2 ms. A kill after the n-th
   * line, n not a multiple of 20, so lands after the broker took part of a batch and before the
   * relay recorded any of it as sent: those messages are delivered again by the next relay. The
   * process's own output goes to {@code <sentFile>.log}.
   */
  public static Process startThrough(
      TestDatabase db,
      OutboxTables tables,
      Path sentFile,
      Class<? extends SenderFactory> factory,
      String config,
      Duration lease)
      throws IOException {
    List<String> args = childArgs(db, db.dialect(), tables);
    args.addAll(
        List.of(
            "2",
            sentFile.toString(),
            "0",
            factory.getName(),
            config,
            Long.toString(lease.toMillis())));
    Path log = sentFile.resolveSibling(sentFile.getFileName() + ".log");
    log.toFile().deleteOnExit(); // kept while the test runs, to look at when it fails
    return ChildJvm.start(log, RelayProcess.class, args.toArray(String[]::new));
  }

  /** Starts a relay process that writes its sends to the given file. */
  @FunctionalInterface
  public interface Starter {
    /** Starts the process; it appends its sends to {@code sentFile}. */
    Process start(Path sentFile) throws IOException;
  }

  /**
   * Starts {@code kills} relay processes one after another and kills each with SIGKILL once it has
   * sent {@code firstAfter}, then {@code step} more each time, messages: not a multiple of the
   * batch size, so each kill lands in the middle of a batch. Returns every message id they sent, in
   * order.
   */
  public static List<UUID> sentBeforeKills(int kills, int firstAfter, int step, Starter starter)
      throws Exception {
    List<UUID> delivered = new ArrayList<>();
    for (int i = 0; i < kills; i++) {
      Path sent = Files.createTempFile("outbox-sent-", ".txt");
      Process child = starter.start(sent);
      try {
        awaitSent(child, sent, firstAfter + step * i);
      } finally {
        kill(child);
      }
      delivered.addAll(sent(sent));
      Files.delete(sent);
    }
    return delivered;
  }

  /**
   * Waits up to a minute until {@code sentFile} holds {@code count} sends; fails if it does not.
   */
  public static void awaitSent(Process p, Path sentFile, int count) throws Exception {
    await("relay process sends " + count + " messages")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(10))
        .failFast("relay process ended", () -> !p.isAlive())
        .until(() -> sent(sentFile).size() >= count);
  }

  /** The message ids a delivering process wrote to {@code sentFile}, in order. */
  public static List<UUID> sent(Path sentFile) throws IOException {
    if (!Files.exists(sentFile)) {
      return List.of();
    }
    return Files.readAllLines(sentFile, StandardCharsets.UTF_8).stream()
        .filter(l -> l.startsWith(SENT) && l.length() == SENT.length() + 36)
        .map(l -> UUID.fromString(l.substring(SENT.length())))
        .toList();
  }

  /**
   * The process's next line that starts with {@code prefix}, waiting up to a minute; null if the
   * process's output ended first. Every line read goes to {@code output}.
   */
  private static String nextLine(Process p, String prefix, List<String> output) throws Exception {
    BufferedReader r =
        READERS.computeIfAbsent(
            p,
            process ->
                new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String l;
                while ((l = r.readLine()) != null) {
                  output.add(l);
                  if (l.startsWith(prefix)) {
                    return l;
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    return line.get(60, TimeUnit.SECONDS);
  }

  /** SIGKILL: no shutdown hook, no acknowledgement, no lease released. */
  public static void kill(Process p) throws InterruptedException {
    READERS.remove(p);
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * The child JVM's entry point: {@code <dialect class> <jdbc url> <schema> <table> [<batches in
   * flight> [<sent file> [<fail percent> [<sender factory class> <config> <lease ms>]]]]}. Started
   * by the contracts, not for direct use.
   *
   * @param args as above
   * @throws Exception whatever the relay throws; the parent reads the exit
   */
  public static void main(String[] args) throws Exception {
    OutboxDialect dialect =
        (OutboxDialect) Class.forName(args[0]).getDeclaredConstructor().newInstance();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(args[1]);
    config.setMaximumPoolSize(3);
    int inFlight = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    PrintStream sentFile =
        args.length > 5
            ? new PrintStream(new FileOutputStream(args[5], true), true, StandardCharsets.UTF_8)
            : null;
    boolean deliver = sentFile != null;
    int failPercent = args.length > 6 ? Integer.parseInt(args[6]) : 0;
    Sender real =
        args.length > 8
            ? ((SenderFactory) Class.forName(args[7]).getDeclaredConstructor().newInstance())
                .create(args[8])
            : null;
    Duration lease = args.length > 9 ? Duration.ofMillis(Long.parseLong(args[9])) : LEASE;
    Sender sender =
        real != null
            ? batch -> oneByOne(real, batch, sentFile)
            : deliver ? batch -> deliver(batch, sentFile, failPercent) : new Hanging();
    try (HikariDataSource ds = new HikariDataSource(config)) {
      OutboxRelay.Builder builder =
          OutboxRelay.builder(ds, dialect, sender)
              .tables(new OutboxTables(args[2], args[3]))
              .name("doomed")
              .leaseDuration(lease)
              .sendTimeout(lease.minus(lease.dividedBy(6)));
      if (inFlight == 1) {
        builder.build().runOnce();
        System.out.println("UNEXPECTED: the cycle ended");
        return;
      }
      builder.batchSize(deliver ? 20 : 10).maxBatchesInFlight(inFlight).build().start();
      Thread.sleep(LEASE.toMillis()); // the test kills the process before
    }
  }

  /**
   * Prints the size of the batch it is handed and never answers. It takes whole runs: it delivers
   * nothing, so it keeps that promise, and the test sees the whole claim in one call.
   */
  private static final class Hanging implements Sender {
    @Override
    public CompletableFuture<List<Outcome>> send(List<OutboxRecord> batch) {
      System.out.println("CLAIMED " + batch.size());
      System.out.flush();
      return new CompletableFuture<>(); // never answers
    }

    @Override
    public boolean acceptsRuns() {
      return true;
    }
  }

  /**
   * Hands {@code real} the records one at a time and waits for each answer; writes each record the
   * broker confirmed to {@code sentFile} and pauses 2 ms, so that a kill can land mid-batch.
   */
  private static CompletableFuture<List<Outcome>> oneByOne(
      Sender real, List<OutboxRecord> batch, PrintStream sentFile) {
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    try {
      for (OutboxRecord r : batch) {
        Outcome o = real.send(List.of(r)).toCompletableFuture().get(10, TimeUnit.SECONDS).get(0);
        outcomes.add(o);
        if (o.status() == Outcome.Status.SENT) {
          sentFile.println(SENT + r.messageId());
          Thread.sleep(2);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(e);
    } catch (Exception e) {
      // The records without an outcome are retried.
      System.out.println("SEND FAILED " + e);
    }
    return CompletableFuture.completedFuture(outcomes);
  }

  private static CompletableFuture<List<Outcome>> deliver(
      List<OutboxRecord> batch, PrintStream sentFile, int failPercent) {
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    for (OutboxRecord r : batch) {
      if (ThreadLocalRandom.current().nextInt(100) < failPercent) {
        outcomes.add(Outcome.retry(r, new IOException("refused")));
        continue;
      }
      outcomes.add(Outcome.sent(r));
      sentFile.println(SENT + r.messageId());
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CompletableFuture.failedFuture(e);
      }
    }
    return CompletableFuture.completedFuture(outcomes);
  }
}
