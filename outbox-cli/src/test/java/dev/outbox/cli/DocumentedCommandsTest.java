package dev.outbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The commands the README and the guides in {@code docs/} show run as written: every {@code java
 * -jar outbox-cli-….jar …} line parses with the command line it names (a command or flag that was
 * renamed fails here, not at a reader's terminal), and every {@code mvn … -pl MODULE … -PPROFILE}
 * line names a module of the build and a profile that module's POM or the parent's defines.
 */
class DocumentedCommandsTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern CLI = Pattern.compile("^\\s*java -jar outbox-cli/\\S+\\.jar(.*)$");
  private static final Pattern MVN = Pattern.compile("^\\s*mvn (.*)$");
  private static final Pattern MODULE = Pattern.compile("-pl (\\S+)");
  private static final Pattern PROFILE = Pattern.compile("(?<![\\w-])-P(\\S+)");

  private static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  private static List<String> lines(Pattern pattern) throws IOException {
    List<String> found = new ArrayList<>();
    for (Path doc : documents()) {
      for (String line : Files.readAllLines(doc)) {
        Matcher m = pattern.matcher(line);
        if (m.matches()) {
          found.add(doc.getFileName() + ": " + m.group(1).strip());
        }
      }
    }
    return found;
  }

  @Test
  void everyDocumentedOutboxCommandParses() throws IOException {
    List<String> commands = lines(CLI);
    assertThat(commands).as("java -jar lines in README.md and docs/").hasSizeGreaterThan(3);
    for (String command : commands) {
      String args = command.substring(command.indexOf(": ") + 2);
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
      CommandLine line = OutboxCli.commandLine(out, out);
      String[] words = args.isEmpty() ? new String[0] : args.split("\\s+");
      try {
        line.parseArgs(words);
      } catch (CommandLine.ParameterException e) {
        throw new AssertionError(command + " does not parse: " + e.getMessage(), e);
      }
    }
  }

  @Test
  void everyDocumentedMavenCommandNamesAModuleAndAProfileThatExist() throws IOException {
    List<String> commands = lines(MVN);
    assertThat(commands).as("mvn lines in README.md and docs/").hasSizeGreaterThan(5);
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    for (String command : commands) {
      Matcher module = MODULE.matcher(command);
      List<String> poms = new ArrayList<>(List.of(parent));
      if (module.find()) {
        for (String name : module.group(1).split(",")) { // -pl a,b names several modules
          assertThat(parent)
              .as("%s: the root POM lists module %s", command, name)
              .contains("<module>" + name + "</module>");
          poms.add(Files.readString(ROOT.resolve(name).resolve("pom.xml")));
        }
      }
      Matcher profile = PROFILE.matcher(command);
      while (profile.find()) {
        String id = profile.group(1);
        assertThat(poms)
            .as("%s: profile %s is defined", command, id)
            .anySatisfy(p -> assertThat(p).contains("<id>" + id + "</id>"));
      }
    }
  }
}
