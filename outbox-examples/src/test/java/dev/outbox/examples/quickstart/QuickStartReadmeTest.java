package dev.outbox.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's Quick start shows {@link QuickStart} as it is, from its first import to its end, so
 * that the code users copy is the code the build compiles and {@link QuickStartIT} runs.
 */
class QuickStartReadmeTest {
  static final Path SOURCE =
      Path.of("src/main/java/dev/outbox/examples/quickstart/QuickStart.java");
  static final Path README = Path.of("../README.md");

  @Test
  void theReadmeShowsTheQuickStartProgramVerbatim() throws Exception {
    String source = Files.readString(SOURCE);
    String program = source.substring(source.indexOf("import "));

    String readme = Files.readString(README);
    assertThat(readme)
        .as("README.md holds %s from its first import, in a java block", SOURCE)
        .contains("```java\n" + program + "```\n");
  }
}
