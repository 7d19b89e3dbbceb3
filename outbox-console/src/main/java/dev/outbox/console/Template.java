package dev.outbox.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small HTML template that escapes by default. Text holds {@code {{name}}} slots; {@link #render}
 * fills each from its arguments, escaping the value ({@link Html#esc}) unless it is {@link
 * Html.Safe} markup, which only the console's own templates and {@link Html} produce. A slot
 * without a value is an error, so a misspelt name fails in the tests rather than showing an empty
 * hole.
 *
 * <p>A resource holds several templates, each from the line after {@code {{define name}}} up to the
 * line before {@code {{end}}} (without the last line break); lines outside them are ignored (use
 * them for comments). Immutable and thread-safe.
 */
final class Template {
  private static final Pattern SLOT = Pattern.compile("\\{\\{([A-Za-z][A-Za-z0-9]*)}}");
  private static final Pattern DEFINE = Pattern.compile("\\{\\{define ([A-Za-z][A-Za-z0-9-]*)}}");

  private final String name;
  private final List<String> text = new ArrayList<>();
  private final List<String> slots = new ArrayList<>();

  private Template(String name, String source) {
    this.name = name;
    Matcher m = SLOT.matcher(source);
    int from = 0;
    while (m.find()) {
      text.add(source.substring(from, m.start()));
      slots.add(m.group(1));
      from = m.end();
    }
    text.add(source.substring(from));
  }

  /** A template of {@code source}, named {@code name} in errors. */
  static Template of(String name, String source) {
    return new Template(name, source);
  }

  /**
   * The templates in the classpath resource {@code resource} (next to this class), by name.
   *
   * @throws IllegalStateException if it is missing or a definition is not closed
   */
  static Map<String, Template> load(String resource) {
    String source = read(resource);
    Map<String, Template> templates = new HashMap<>();
    String[] lines = source.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher define = DEFINE.matcher(lines[i].strip());
      if (!define.matches()) {
        continue;
      }
      List<String> body = new ArrayList<>();
      int j = i + 1;
      while (j < lines.length && !lines[j].strip().equals("{{end}}")) {
        body.add(lines[j]);
        j++;
      }
      if (j == lines.length) {
        throw new IllegalStateException(
            resource + ": {{define " + define.group(1) + "}} has no {{end}}");
      }
      String name = resource + "#" + define.group(1);
      templates.put(define.group(1), new Template(name, String.join("\n", body)));
      i = j;
    }
    return Map.copyOf(templates);
  }

  private static String read(String resource) {
    try (InputStream in = Template.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the console's resource " + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the console's resource " + resource, e);
    }
  }

  /**
   * The template filled from alternating slot names and values: {@code render("title", t, "rows",
   * rows)}. Values are escaped unless {@link Html.Safe}; null is empty.
   *
   * @throws IllegalArgumentException if a slot has no value or the arguments are not pairs
   */
  Html.Safe render(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(name + ": slot names and values must come in pairs");
    }
    Map<String, Object> values = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      values.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    StringBuilder out = new StringBuilder(256);
    for (int i = 0; i < slots.size(); i++) {
      out.append(text.get(i));
      String slot = slots.get(i);
      if (!values.containsKey(slot)) {
        throw new IllegalArgumentException(name + ": no value for {{" + slot + "}}");
      }
      Object value = values.get(slot);
      out.append(value instanceof Html.Safe safe ? safe.html() : Html.esc(value));
    }
    out.append(text.get(slots.size()));
    return new Html.Safe(out.toString());
  }
}
