package dev.outbox.internal;

import dev.outbox.RelayException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's background loop: claim again at once after a full batch; after a partial one poll
 * again soon, or after the linger when it took several messages; after an empty one wait twice as
 * long as before, up to the poll interval, unless the doorbell rings. Failures are reported and
 * retried after a growing pause; the loop only ends when stopped or interrupted. While the broker
 * is away (a batch failed as a whole, see {@code OutboxRelay.Builder#brokerPause}) the loop pauses,
 * doorbell or not, and then probes with a batch of one message.
 */
public final class RelayLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(RelayLoop.class);

  /** Shortest pause between claims when the last batch was not full. */
  static final Duration MIN_IDLE_DELAY = Duration.ofMillis(10);

  /**
   * Fewest messages a partial claim takes for the next claim to wait out the linger. Claims of
   * fewer mean messages trickle in, each claimed as soon as it is notified.
   */
  static final int LINGER_MIN = 3;

  /**
   * Slowest arrival, in messages per millisecond since the previous claim, for which a partial
   * claim is followed by the linger: 1,000 messages a second. Slower, the relay keeps up by
   * claiming as it is woken; and a claim that took a few messages only because the last linger let
   * them gather does not linger again.
   */
  static final int LINGER_MIN_PER_MILLI = 1;

  /** Longest pause after repeated failures. */
  static final Duration MAX_ERROR_DELAY = Duration.ofSeconds(10);

  private final RelayCycle cycle;
  private final RelaySettings settings;
  private final Doorbell doorbell;
  private final Consumer<RelayException> report;
  private final Acker acker = new Acker();
  private volatile boolean running = true;

  /** Creates the loop; run it on the relay's own thread. */
  public RelayLoop(
      RelayCycle cycle,
      RelaySettings settings,
      Doorbell doorbell,
      Consumer<RelayException> report) {
    this.cycle = cycle;
    this.settings = settings;
    this.doorbell = doorbell;
    this.report = report;
  }

  /** Asks the loop to stop after the current cycle; it claims nothing more. */
  public void stop() {
    running = false;
    doorbell.ring();
    acker.wakeAll();
  }

  @Override
  public void run() {
    Thread ackThread = new Thread(acker, "outbox-" + settings.name() + "-ack");
    ackThread.setDaemon(true);
    ackThread.start();
    try {
      loop();
      acker.finish(); // let the batches in flight finish and be acknowledged
      ackThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ackThread.interrupt();
      log.warn(
          "outbox relay '{}' was interrupted; batches in flight are left leased and will be"
              + " claimed again when their lease expires",
          settings.name());
    }
  }

  private void loop() throws InterruptedException {
    Duration idle = MIN_IDLE_DELAY;
    long lastClaim = System.nanoTime();
    int failures = 0;
    int away = 0;
    while (running) {
      try {
        if (away > 0 || acker.brokerAway()) {
          acker.awaitIdle();
          away++;
          brokerAway(away);
          if (!running) {
            return;
          }
          if (cycle.run(1).brokerAway()) {
            continue;
          }
          log.info(
              "outbox relay '{}': the broker answers again after {} pause(s); resuming",
              settings.name(),
              away);
          away = 0;
          acker.clearBrokerAway();
        }
        acker.awaitRoom(settings.maxBatchesInFlight());
        if (!running) {
          return;
        }
        if (acker.brokerAway()) {
          // The batch that found the broker away was acknowledged while this loop waited for
          // room: pause and probe with one message instead of claiming a full batch.
          continue;
        }
        long claimAt = System.nanoTime();
        RelayCycle.Claimed claimed = cycle.claim(settings.batchSize());
        long sinceLast = claimAt - lastClaim;
        lastClaim = claimAt;
        failures = 0;
        if (!claimed.records().isEmpty()) {
          acker.add(cycle.send(claimed));
        }
        if (claimed.again()) {
          continue;
        }
        if (arriving(claimed.records().size(), sinceLast) && !settings.linger().isZero()) {
          waitOut(settings.linger());
          continue;
        }
        idle =
            !claimed.records().isEmpty()
                ? MIN_IDLE_DELAY
                : min(idle.multipliedBy(2), settings.pollInterval());
        doorbell.await(idle); // an acknowledgement rings too: its keys may be claimable again
      } catch (RelayException e) {
        failures++;
        report.accept(e);
        pause(errorDelay(failures));
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError vmError) {
          throw vmError;
        }
        failures++;
        report.accept(
            new RelayException(
                "relay '" + settings.name() + "' failed unexpectedly: " + e, e, false));
        pause(errorDelay(failures));
      }
    }
  }

  /**
   * Waits for the batches in flight in the order they were claimed and acknowledges each, on a
   * thread of its own, so that the next claims overlap the sender and the acknowledgements.
   */
  private final class Acker implements Runnable {
    private final Object lock = new Object();

    /** The batches in flight, oldest first. */
    private final ArrayDeque<RelayCycle.Flight> queue = new ArrayDeque<>();

    private boolean finishing;
    private boolean gone;
    private volatile boolean brokerAway;

    void add(RelayCycle.Flight flight) {
      synchronized (lock) {
        queue.add(flight);
        lock.notifyAll();
      }
    }

    /** Waits until fewer than {@code max} batches are in flight, or the loop is stopped. */
    void awaitRoom(int max) throws InterruptedException {
      synchronized (lock) {
        while (running && !gone && queue.size() >= max) {
          lock.wait();
        }
      }
    }

    /** Waits until no batch is in flight. */
    void awaitIdle() throws InterruptedException {
      synchronized (lock) {
        while (!gone && !queue.isEmpty()) {
          lock.wait();
        }
      }
    }

    /** Wakes the loop if it waits for room or for the batches in flight. */
    void wakeAll() {
      synchronized (lock) {
        lock.notifyAll();
      }
    }

    /** Acknowledges what is queued, then ends. */
    void finish() {
      synchronized (lock) {
        finishing = true;
        lock.notifyAll();
      }
    }

    boolean brokerAway() {
      return brokerAway;
    }

    void clearBrokerAway() {
      brokerAway = false;
    }

    @Override
    public void run() {
      try {
        ackInOrder();
      } finally {
        synchronized (lock) {
          gone = true;
          lock.notifyAll();
        }
      }
    }

    private void ackInOrder() {
      while (true) {
        RelayCycle.Flight head;
        synchronized (lock) {
          while (queue.isEmpty() && !finishing) {
            try {
              lock.wait();
            } catch (InterruptedException e) {
              return;
            }
          }
          if (queue.isEmpty()) {
            return;
          }
          head = queue.peek();
        }
        List<RelayCycle.Flight> ready = List.of(head);
        try {
          head.sending().await();
          ready = finishedFrom(head);
          for (RelayCycle.Result r : cycle.finishAll(ready)) {
            if (r.brokerAway()) {
              brokerAway = true;
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return; // the batches still queued stay leased until their lease expires
        } catch (RelayException e) {
          report.accept(e);
        } catch (RuntimeException | Error e) {
          if (e instanceof VirtualMachineError vmError) {
            throw vmError;
          }
          report.accept(
              new RelayException(
                  "relay '" + settings.name() + "' failed to finish a batch: " + e, e, false));
        } finally {
          synchronized (lock) {
            for (int i = 0; i < ready.size(); i++) {
              queue.poll();
            }
            lock.notifyAll();
          }
          doorbell.ring();
        }
      }
    }

    /**
     * {@code head}, whose sender has finished, and the batches queued right behind it whose senders
     * have finished too: they are acknowledged together.
     */
    private List<RelayCycle.Flight> finishedFrom(RelayCycle.Flight head) {
      List<RelayCycle.Flight> ready = new ArrayList<>();
      synchronized (lock) {
        for (RelayCycle.Flight f : queue) {
          if (f != head && !f.sending().isDone()) {
            break;
          }
          ready.add(f);
        }
      }
      return ready;
    }
  }

  /**
   * Whether a partial claim of {@code claimed} messages, {@code sinceLastNanos} after the previous
   * claim, means messages arrive fast enough to linger for.
   */
  static boolean arriving(int claimed, long sinceLastNanos) {
    return claimed >= LINGER_MIN
        && (long) claimed * 1_000_000L >= LINGER_MIN_PER_MILLI * sinceLastNanos;
  }

  /** Waits {@code d} out, whatever rings the doorbell; only stopping ends it early. */
  private void waitOut(Duration d) throws InterruptedException {
    long deadline = System.nanoTime() + d.toNanos();
    long left;
    while (running && (left = deadline - System.nanoTime()) > 0) {
      doorbell.await(Duration.ofNanos(left));
    }
  }

  /** Pauses after the {@code away}-th batch in a row that failed because the broker was away. */
  private void brokerAway(int away) throws InterruptedException {
    Duration pause = brokerPause(away);
    if (away == 1) {
      log.warn(
          "outbox relay '{}': a whole batch failed because the broker is away; no attempts are"
              + " counted. Pausing deliveries for {}, then probing with one message, up to every"
              + " {}",
          settings.name(),
          pause,
          settings.maxBrokerPause());
    }
    waitOut(pause); // a wake-up for new messages does not end the pause
  }

  /**
   * The {@code away}-th pause: {@code brokerPause} doubling up to {@code maxBrokerPause}, with
   * equal jitter (between half and all of it) so relays do not probe in step.
   */
  Duration brokerPause(int away) {
    Duration cap = settings.maxBrokerPause();
    int doublings = Math.min(away - 1, 30);
    Duration full = min(settings.brokerPause().multipliedBy(1L << doublings), cap);
    long half = full.toNanos() / 2;
    return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(half + 1));
  }

  private Duration errorDelay(int failures) {
    Duration base = min(settings.pollInterval(), MAX_ERROR_DELAY);
    int doublings = Math.min(failures - 1, 20);
    return min(base.multipliedBy(1L << doublings), MAX_ERROR_DELAY);
  }

  private void pause(Duration d) {
    try {
      doorbell.await(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
