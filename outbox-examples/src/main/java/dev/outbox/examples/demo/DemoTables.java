package dev.outbox.examples.demo;

import dev.outbox.OutboxAdmin;
import dev.outbox.OutboxTables;
import dev.outbox.admin.DeadLetterFilter;
import dev.outbox.admin.DeadLetterView;
import dev.outbox.admin.MessageFilter;
import dev.outbox.admin.Page;
import dev.outbox.spi.OutboxDialect;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What the outbox tables say about this run, read through {@link OutboxAdmin}: which messages died
 * and whether any wait. The sender cannot tell: a message dies when its last retry fails, which the
 * sender sees as one more retry, and a message the sender took may still wait to be sent again
 * (held back behind a failed earlier one of its key).
 */
final class DemoTables {
  /** Dead letters older than the run by more than this are not read (database and JVM clocks). */
  private static final Duration CLOCK_MARGIN = Duration.ofHours(1);

  private final OutboxAdmin admin;
  private final DeadLetterFilter sinceStart;

  DemoTables(DataSource dataSource, OutboxDialect dialect, OutboxTables tables, Instant start) {
    this.admin = OutboxAdmin.builder(dataSource, dialect).tables(tables).build();
    this.sinceStart = DeadLetterFilter.none().withDeadSince(start.minus(CLOCK_MARGIN));
  }

  /** The message ids in the dead-letter table that died since the run started (or a bit before). */
  Set<UUID> deadLetterIds() {
    Set<UUID> ids = new HashSet<>();
    String cursor = null;
    do {
      Page<DeadLetterView> page = admin.deadLetters(sinceStart, cursor, OutboxAdmin.MAX_PAGE);
      page.items().forEach(d -> ids.add(d.messageId()));
      cursor = page.nextCursor();
    } while (cursor != null);
    return ids;
  }

  /** Whether any message waits in the message table: due, leased or waiting for a retry. */
  boolean anyPending() {
    return !admin.pending(MessageFilter.any(), null, 1).items().isEmpty();
  }

  /** How many messages wait in the message table. */
  long pending() {
    return admin.overview().pending();
  }
}
