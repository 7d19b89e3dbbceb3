package dev.outbox.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyWalkTest {

  @Test
  void aStartLiesBetweenTheFirstAndTheLastKeyAndSpreadsOverThem() {
    KeyWalk.Range range = new KeyWalk.Range("key-0", "key-9999");
    Random random = new Random(1);
    Set<Character> firsts = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String start = KeyWalk.startBetween(range, random);
      assertThat(start).startsWith("key-").hasSize(6);
      assertThat(start.charAt(4)).isBetween('0', '9');
      firsts.add(start.charAt(4));
    }
    assertThat(firsts).as("every stretch of the keys gets a start").hasSize(10);
  }

  @Test
  void noRangeOrOneKeyStartsAtTheFirstKey() {
    Random random = new Random(1);
    assertThat(KeyWalk.startBetween(null, random)).isNull();
    assertThat(KeyWalk.startBetween(new KeyWalk.Range("a", "a"), random)).isNull();
    assertThat(KeyWalk.startBetween(new KeyWalk.Range("abc", "ab"), random)).isNull();
  }

  @Test
  void aStartNeverHoldsAControlCharacter() {
    // "ab" is a prefix of "ab~": the character after the prefix is picked from ' ' up.
    Random random = new Random(3);
    for (int i = 0; i < 100; i++) {
      String start = KeyWalk.startBetween(new KeyWalk.Range("ab", "ab~"), random);
      assertThat(start).startsWith("ab");
      assertThat(start.chars()).allMatch(ch -> ch >= ' ');
    }
  }
}
