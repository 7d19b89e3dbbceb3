package dev.outbox.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Escaping and formatting for the console's pages: every value a {@link Template} shows is escaped
 * here unless it is {@link Safe} markup.
 */
final class Html {
  private Html() {}

  /** Markup made by a {@link Template} (or an empty piece): inserted into another unescaped. */
  record Safe(String html) {
    /** No markup. */
    static final Safe EMPTY = new Safe("");

    @Override
    public String toString() {
      return html;
    }
  }

  /** The pieces one after the other. */
  static Safe join(List<Safe> pieces) {
    StringBuilder b = new StringBuilder();
    pieces.forEach(p -> b.append(p.html()));
    return new Safe(b.toString());
  }

  /** {@code s} as HTML text or attribute value (quoted with double quotes); null as empty. */
  static String esc(Object s) {
    if (s == null) {
      return "";
    }
    String text = s.toString();
    StringBuilder b = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }

  /** {@code s} encoded for a query string. */
  static String url(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** {@code path} with the non-blank parameters as a query string (a template escapes it). */
  static String href(String path, Map<String, String> params) {
    StringBuilder b = new StringBuilder(path);
    char sep = '?';
    for (Map.Entry<String, String> p : params.entrySet()) {
      if (p.getValue() != null && !p.getValue().isEmpty()) {
        b.append(sep).append(url(p.getKey())).append('=').append(url(p.getValue()));
        sep = '&';
      }
    }
    return b.toString();
  }

  /** An instant to the second, in UTC. */
  static String time(Instant t) {
    return t == null
        ? "–"
        : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * A duration as e.g. "2h 03m", "5m", "1h", "12s": the two largest units, trailing zeros left out.
   */
  static String age(Duration d) {
    if (d == null) {
      return "–";
    }
    long s = Math.max(0, d.toSeconds());
    long[] values = {s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60};
    String[] units = {"d", "h", "m", "s"};
    int first = 0;
    while (first < 3 && values[first] == 0) {
      first++;
    }
    String age = values[first] + units[first];
    if (first < 3 && values[first + 1] != 0) {
      age += String.format(" %02d%s", values[first + 1], units[first + 1]);
    }
    return age;
  }
}
