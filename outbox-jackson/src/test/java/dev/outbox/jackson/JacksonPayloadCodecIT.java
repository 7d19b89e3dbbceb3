package dev.outbox.jackson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.JdbcOutbox;
import dev.outbox.OutboxTables;
import dev.outbox.jackson.JacksonPayloadCodecTest.Line;
import dev.outbox.jackson.JacksonPayloadCodecTest.NoProperties;
import dev.outbox.jackson.JacksonPayloadCodecTest.OrderCreated;
import dev.outbox.postgres.PostgresDialect;
import dev.outbox.postgres.TestPostgres;
import dev.outbox.spi.HeaderCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Typed values enlisted through a {@link JdbcOutbox} on a real PostgreSQL, read back as stored. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JacksonPayloadCodecIT {
  private final JacksonPayloadCodec codec = new JacksonPayloadCodec();
  private TestPostgres pg;

  @BeforeAll
  void start() {
    pg = TestPostgres.create();
  }

  @AfterAll
  void stop() {
    if (pg != null) {
      pg.close();
    }
  }

  private JdbcOutbox outbox(OutboxTables tables) {
    return JdbcOutbox.builder(new PostgresDialect()).tables(tables).payloadCodec(codec).build();
  }

  @Test
  void aTypedValueIsStoredAsJsonWithItsContentTypeAndDecodesBack() throws SQLException {
    OutboxTables tables = pg.newOutboxTable();
    OrderCreated order =
        new OrderCreated(
            "o-7", Instant.parse("2026-03-04T05:06:07.000001Z"), List.of(new Line("sku-9", 4)));
    UUID id;
    try (Connection c = pg.dataSource().getConnection()) {
      c.setAutoCommit(false);
      id = outbox(tables).add(c, "orders", "o-7", order);
      c.commit();
    }

    try (Connection c = pg.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT topic, msg_key, payload, headers FROM "
                    + table(tables)
                    + " WHERE message_id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("the enlisted row").isTrue();
        assertThat(rs.getString("topic")).isEqualTo("orders");
        assertThat(rs.getString("msg_key")).isEqualTo("o-7");
        assertThat(codec.decode(rs.getBytes("payload"), OrderCreated.class)).isEqualTo(order);
        Map<String, String> headers = HeaderCodec.decode(rs.getString("headers"));
        assertThat(headers).containsEntry("content-type", "application/json");
      }
    }
  }

  @Test
  void anUnwritableValueIsRefusedNamingTopicAndClassAndNothingIsWritten() throws SQLException {
    OutboxTables tables = pg.newOutboxTable();
    try (Connection c = pg.dataSource().getConnection()) {
      c.setAutoCommit(false);
      JdbcOutbox outbox = outbox(tables);

      assertThatThrownBy(() -> outbox.add(c, "orders", "o-8", new NoProperties()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("topic 'orders'")
          .hasMessageContaining(NoProperties.class.getName());
      c.commit();
    }

    assertThat(pg.queryLong("SELECT count(*) FROM " + table(tables))).isZero();
  }

  @Test
  void anOutboxWithoutACodecRefusesATypedValueAndWritesNothing() throws SQLException {
    OutboxTables tables = pg.newOutboxTable();
    try (Connection c = pg.dataSource().getConnection()) {
      c.setAutoCommit(false);

      assertThatThrownBy(
              () -> TestPostgres.outbox(tables).add(c, "orders", "o-9", new Line("s", 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("JdbcOutbox.Builder.payloadCodec(");
      c.commit();
    }

    assertThat(pg.queryLong("SELECT count(*) FROM " + table(tables))).isZero();
  }

  private static String table(OutboxTables tables) {
    return tables.schema() + "." + tables.table();
  }
}
