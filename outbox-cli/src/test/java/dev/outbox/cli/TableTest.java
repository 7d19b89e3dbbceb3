package dev.outbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The human tables: aligned columns, "-" for nothing, long cells cut, one line per row. */
class TableTest {

  private static String print(Table t) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    t.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), "(empty)");
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void columnsAreAsWideAsTheirWidestCell() {
    Table t = new Table("ID", "TOPIC", "REASON").row(1, "orders", null).row(12345, "b", "x\ny");
    assertThat(print(t))
        .isEqualTo(
            String.join(
                System.lineSeparator(),
                "ID     TOPIC   REASON",
                "1      orders  -",
                "12345  b       x y",
                ""));
  }

  @Test
  void longCellsAreCutAndEmptyTablesSaySo() {
    String cut = print(new Table("E").row("e".repeat(100)));
    assertThat(cut).contains("e".repeat(Table.MAX_CELL - 3) + "...");
    assertThat(print(new Table("E"))).isEqualTo("(empty)" + System.lineSeparator());
  }
}
