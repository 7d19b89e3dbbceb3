package dev.outbox.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxRecord;
import dev.outbox.OutboxTables;
import dev.outbox.admin.MessageState;
import dev.outbox.admin.MessageView;
import dev.outbox.testkit.BlockingSender;
import dev.outbox.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closing the application while the relay has several batches in flight waits, within {@code
 * outbox.relay.shutdown-timeout}, until the sender has answered them, and their acknowledgements
 * reach the database before the DataSource closes. Each database's subclass gives the database.
 */
abstract class GracefulShutdownITSupport {
  private static final int BATCHES = 3;

  abstract TestDatabase openDatabase();

  @Test
  void closingTheApplicationLetsTheBatchesInFlightFinish() throws Exception {
    BlockingSender sender = new BlockingSender();
    try (TestDatabase db = openDatabase()) {
      Map<String, Object> p = new HashMap<>(TestApps.properties(db));
      p.put("outbox.relay.batch-size", "1");
      p.put("outbox.relay.shutdown-timeout", "30s");
      ConfigurableApplicationContext app = TestApps.start(p, sender);
      OutboxRelayLifecycle relay = app.getBean(OutboxRelayLifecycle.class);
      List<UUID> ids = new ArrayList<>();
      for (int i = 1; i <= BATCHES; i++) {
        ids.add(app.getBean(OrderApp.OrderService.class).placeOrder(i, "clock " + i));
      }
      List<UUID> inFlight = new ArrayList<>();
      for (int i = 0; i < BATCHES; i++) {
        List<OutboxRecord> batch = sender.nextBatch(Duration.ofSeconds(15));
        assertThat(batch).as("batch %d in flight", i + 1).hasSize(1);
        inFlight.add(batch.get(0).messageId());
      }
      assertThat(inFlight).containsExactlyInAnyOrderElementsOf(ids);

      Thread closer = new Thread(app::close, "test-context-close");
      closer.start();
      closer.join(500);
      assertThat(closer.isAlive()).as("close waits for the batches in flight").isTrue();
      assertThat(relay.isRunning()).isTrue();

      sender.release();
      closer.join(Duration.ofSeconds(30).toMillis());
      assertThat(closer.isAlive()).isFalse();
      assertThat(app.isActive()).isFalse();
      assertThat(states(db, ids)).containsOnly(MessageState.SENT).hasSize(BATCHES);
    }
  }

  private static List<MessageState> states(TestDatabase db, List<UUID> ids) {
    try (var ds = db.dataSource("graceful-check", 1)) {
      OutboxAdmin admin =
          OutboxAdmin.builder(ds, db.dialect())
              .tables(new OutboxTables(db.schema(), OutboxTables.DEFAULT_TABLE))
              .build();
      return ids.stream()
          .flatMap(id -> admin.messagesById(id).stream())
          .map(MessageView::state)
          .toList();
    }
  }
}
