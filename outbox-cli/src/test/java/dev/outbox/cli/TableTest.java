package dev.outbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The human tables: aligned columns, "-" for nothing, long cells cut but the last, which wraps. */
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
  void longCellsBeforeTheLastAreCutAndEmptyTablesSaySo() {
    String cut = print(new Table("E", "F").row("e".repeat(100), "f"));
    assertThat(cut).contains("e".repeat(Table.MAX_CELL - 3) + "...  f");
    assertThat(print(new Table("E"))).isEqualTo("(empty)" + System.lineSeparator());
  }

  @Test
  void theLastColumnIsWrappedUnderItselfNotCut() {
    String reason =
        "java.lang.IllegalStateException: the broker refused the record because its schema"
            + " version 7 is not registered for subject orders-value; register it or replay"
            + " with the previous schema, then retry the whole batch of 500 records";
    List<String> lines =
        print(new Table("ID", "REASON").row(12, reason)).lines().collect(Collectors.toList());

    assertThat(lines.get(0)).isEqualTo("ID  REASON");
    assertThat(lines.get(1)).startsWith("12  java.lang.IllegalStateException: the broker");
    assertThat(lines)
        .hasSizeGreaterThan(2)
        .allSatisfy(l -> assertThat(l).hasSizeLessThanOrEqualTo(Table.LINE_WIDTH));
    assertThat(lines.subList(2, lines.size()))
        .allSatisfy(l -> assertThat(l).startsWith("    ").doesNotStartWith("     "));
    String joined =
        lines.subList(1, lines.size()).stream()
            .map(l -> l.substring(4))
            .collect(Collectors.joining(" "));
    assertThat(joined).isEqualTo(reason);
  }

  @Test
  void aLastCellWithoutSpacesIsBrokenAtTheWidth() {
    assertThat(Table.wrap("a".repeat(95), 40))
        .containsExactly("a".repeat(40), "a".repeat(40), "a".repeat(15));
    assertThat(Table.wrap("short", 40)).containsExactly("short");
  }
}
