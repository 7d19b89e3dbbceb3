package dev.outbox.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

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

  /**
   * The Quick start's {@code pom.xml} is whole (it builds with Maven 3.8's defaults: Java 17
   * through a named compiler plugin, a main class for exec:java), imports the BOM at this project's
   * version, and depends on exactly the module the program needs.
   */
  @Test
  void theReadmePomIsCompleteAndNeedsOnlyOutboxPostgres() throws Exception {
    String readme = Files.readString(README);
    int start = readme.indexOf("```xml\n<?xml");
    assertThat(start).as("a complete pom.xml block in README.md").isNotNegative();
    String xml = readme.substring(start + "```xml\n".length(), readme.indexOf("```", start + 6));
    Document pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    XPath x = XPathFactory.newInstance().newXPath();

    assertThat(x.evaluate("/project/properties/*[name()='maven.compiler.release']", pom))
        .isEqualTo("17");
    assertThat(x.evaluate(plugin("maven-compiler-plugin") + "/version", pom)).isNotBlank();
    assertThat(x.evaluate(plugin("exec-maven-plugin") + "/configuration/mainClass", pom))
        .isEqualTo("QuickStart");
    assertThat(x.evaluate("//dependencyManagement//artifactId", pom)).isEqualTo("outbox-bom");
    assertThat(x.evaluate("//dependencyManagement//version", pom)).isEqualTo(projectVersion());
    assertThat(x.evaluate("count(/project/dependencies/dependency)", pom)).isEqualTo("1");
    assertThat(x.evaluate("/project/dependencies/dependency/artifactId", pom))
        .isEqualTo("outbox-postgres");

    // Everything the program imports comes with outbox-postgres: core, the driver, OTel's API.
    String source = Files.readString(SOURCE);
    assertThat(source.lines().filter(l -> l.startsWith("import ")))
        .allSatisfy(
            l ->
                assertThat(l)
                    .matches(
                        "import (dev\\.outbox\\.(postgres\\.)?[A-Z]\\w*|java\\..*|"
                            + "org\\.postgresql\\..*|io\\.opentelemetry\\.api\\..*);"));
  }

  private static String plugin(String artifactId) {
    return "/project/build/plugins/plugin[artifactId='" + artifactId + "']";
  }

  private static String projectVersion() throws Exception {
    Document root =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(Path.of("../pom.xml").toFile());
    return XPathFactory.newInstance().newXPath().evaluate("/project/version", root);
  }
}
