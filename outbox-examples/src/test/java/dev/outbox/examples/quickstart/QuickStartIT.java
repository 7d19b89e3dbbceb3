package dev.outbox.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.postgres.TestPostgres;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's Quick start program against the real PostgreSQL, in a fresh schema (the
 * connection's current schema, so that the program's unqualified names land there).
 */
class QuickStartIT {

  @Test
  void theQuickStartEnlistsAnOrderAndItsMessageTogetherAndDeliversIt() throws Exception {
    try (TestPostgres pg = TestPostgres.create()) {
      String url = pg.jdbcUrl() + "&currentSchema=" + pg.schema();

      QuickStart.main(new String[] {url});

      String schema = pg.schema();
      assertThat(pg.queryLong("SELECT count(*) FROM " + schema + ".orders")).isEqualTo(1);
      assertThat(
              pg.queryLong("SELECT count(*) FROM " + schema + ".outbox_message WHERE status = 1"))
          .as("the order's message, sent")
          .isEqualTo(1);
      assertThat(
              pg.queryLong("SELECT count(*) FROM " + schema + ".outbox_message WHERE status = 0"))
          .isZero();
    }
  }
}
