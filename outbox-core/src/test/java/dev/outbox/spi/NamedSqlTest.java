package dev.outbox.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outbox.spi.NamedSql.Syntax;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamedSqlTest {

  @Test
  void namesBecomePositionalParametersInOrderAndMayRepeat() {
    NamedSql sql = NamedSql.parse("SELECT * FROM t WHERE a = @now AND b <= @now AND c = @key_2");

    assertThat(sql.sql()).isEqualTo("SELECT * FROM t WHERE a = ? AND b <= ? AND c = ?");
    assertThat(sql.names()).containsExactly("now", "now", "key_2");
  }

  @Test
  void atSignInsideAStringLiteralIsText() {
    NamedSql sql = NamedSql.parse("SELECT 'mail@example.org', 'it''s @x' FROM t WHERE a = @a");

    assertThat(sql.sql()).isEqualTo("SELECT 'mail@example.org', 'it''s @x' FROM t WHERE a = ?");
    assertThat(sql.names()).containsExactly("a");
  }

  @Test
  void atSignInsideQuotedIdentifiersIsText() {
    NamedSql standard = NamedSql.parse("SELECT \"col@x\", \"a\"\"@b\" FROM t WHERE id = @id");
    NamedSql mysql = NamedSql.parse("SELECT `col@x`, `a``@b` FROM t WHERE id = @id", Syntax.MYSQL);

    assertThat(standard.sql()).isEqualTo("SELECT \"col@x\", \"a\"\"@b\" FROM t WHERE id = ?");
    assertThat(standard.names()).containsExactly("id");
    assertThat(mysql.sql()).isEqualTo("SELECT `col@x`, `a``@b` FROM t WHERE id = ?");
    assertThat(mysql.names()).containsExactly("id");
  }

  @Test
  void atSignInsideCommentsIsText() {
    String text =
        """
        SELECT 1 -- not @a parameter
        /* nor @this /* nested @one */ still comment @x */ FROM t WHERE id = @id""";

    NamedSql sql = NamedSql.parse(text);

    assertThat(sql.names()).containsExactly("id");
    assertThat(sql.sql()).endsWith("WHERE id = ?").contains("-- not @a parameter");
  }

  @Test
  void mysqlHashCommentsAndBackslashEscapesAreSkipped() {
    NamedSql sql =
        NamedSql.parse(
            "SELECT 'it\\'s @x', \"say \\\"@y\\\"\" # a @comment\nFROM t WHERE id = @id",
            Syntax.MYSQL);

    assertThat(sql.names()).containsExactly("id");
  }

  @Test
  void standardSyntaxHasBackslashEscapesOnlyInEStrings() {
    NamedSql plain = NamedSql.parse("SELECT 'C:\\' , @a");
    NamedSql escaped = NamedSql.parse("SELECT E'it\\'s @x', @a");

    assertThat(plain.sql()).isEqualTo("SELECT 'C:\\' , ?");
    assertThat(plain.names()).containsExactly("a");
    assertThat(escaped.names()).containsExactly("a");
  }

  @Test
  void dollarQuotedStringsAreSkipped() {
    NamedSql sql = NamedSql.parse("SELECT $$ @a $$, $tag$ it's @b $tag$, @c");

    assertThat(sql.names()).containsExactly("c");
    assertThat(sql.sql()).isEqualTo("SELECT $$ @a $$, $tag$ it's @b $tag$, ?");
  }

  @Test
  void operatorsAndSystemVariablesAreNotParameters() {
    NamedSql pg = NamedSql.parse("SELECT a @> b, @ -5, @x FROM t");
    NamedSql mysql = NamedSql.parse("SELECT @@session.time_zone, @x", Syntax.MYSQL);

    assertThat(pg.sql()).isEqualTo("SELECT a @> b, @ -5, ? FROM t");
    assertThat(pg.names()).containsExactly("x");
    assertThat(mysql.sql()).isEqualTo("SELECT @@session.time_zone, ?");
    assertThat(mysql.names()).containsExactly("x");
  }

  @Test
  void positionalParameterIsRefusedWithItsOffset() {
    assertThatThrownBy(() -> NamedSql.parse("SELECT * FROM t WHERE a = ? AND b = @b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positional '?' at offset 26");
  }

  @Test
  void questionMarkInsideALiteralIsText() {
    NamedSql sql = NamedSql.parse("SELECT 'why?' WHERE a = @a");

    assertThat(sql.sql()).isEqualTo("SELECT 'why?' WHERE a = ?");
  }

  @Test
  void unclosedLiteralOrCommentIsRefused() {
    assertThatThrownBy(() -> NamedSql.parse("SELECT 'open"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unclosed '");
    assertThatThrownBy(() -> NamedSql.parse("SELECT 1 /* open"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unclosed comment");
  }

  @Test
  void expandedListTakesOnePlaceholderPerElementAndLeavesLiteralsAlone() {
    NamedSql sql = NamedSql.parse("DELETE FROM t WHERE note <> '?' AND id IN (@ids) AND a = @a");

    String text =
        sql.expandedText(SqlParams.of("ids", SqlParams.expand(List.of(1L, 2L, 3L)), "a", 1));

    assertThat(text).isEqualTo("DELETE FROM t WHERE note <> '?' AND id IN (?, ?, ?) AND a = ?");
  }

  @Test
  void missingValueIsRefusedWithTheParameterName() {
    NamedSql sql = NamedSql.parse("SELECT @a, @b");

    assertThatThrownBy(() -> sql.expandedText(SqlParams.of("a", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@b");
  }

  @Test
  void emptyExpandedListIsRefused() {
    assertThatThrownBy(() -> SqlParams.expand(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be empty");
  }
}
