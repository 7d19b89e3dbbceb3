package dev.outbox.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes message headers as a flat JSON object of strings, the form every dialect stores them in
 * (PostgreSQL {@code jsonb}, MySQL {@code JSON}), and decodes them back. Written by hand so the
 * core has no JSON library dependency; it accepts exactly what the databases return for such an
 * object (any whitespace, any key order, standard escapes).
 */
public final class HeaderCodec {
  private HeaderCodec() {}

  /** The JSON text for {@code headers}; {@code "{}"} when empty. */
  public static String encode(Map<String, String> headers) {
    if (headers.isEmpty()) {
      return "{}";
    }
    StringBuilder out = new StringBuilder(32 * headers.size());
    out.append('{');
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (out.length() > 1) {
        out.append(',');
      }
      appendString(out, e.getKey());
      out.append(':');
      appendString(out, e.getValue());
    }
    return out.append('}').toString();
  }

  /**
   * The headers in {@code json}; an empty map for null or {@code "{}"}.
   *
   * @throws IllegalArgumentException if the text is not a flat JSON object of strings
   */
  public static Map<String, String> decode(String json) {
    if (json == null) {
      return Map.of();
    }
    return new Parser(json).object();
  }

  private static void appendString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    Map<String, String> object() {
      Map<String, String> result = new LinkedHashMap<>();
      expect('{');
      if (peek() == '}') {
        pos++;
        return end(result);
      }
      do {
        String name = string();
        expect(':');
        result.put(name, string());
      } while (consumeComma());
      expect('}');
      return end(result);
    }

    private Map<String, String> end(Map<String, String> result) {
      if (peek() != 0) {
        throw error("trailing characters");
      }
      return Collections.unmodifiableMap(result);
    }

    private boolean consumeComma() {
      if (peek() == ',') {
        pos++;
        return true;
      }
      return false;
    }

    private String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        sb.append(c == '\\' ? escape() : c);
      }
      throw error("unterminated string");
    }

    private char escape() {
      if (pos >= text.length()) {
        throw error("unterminated escape");
      }
      char c = text.charAt(pos++);
      return switch (c) {
        case '"', '\\', '/' -> c;
        case 'n' -> '\n';
        case 'r' -> '\r';
        case 't' -> '\t';
        case 'b' -> '\b';
        case 'f' -> '\f';
        case 'u' -> unicode();
        default -> throw error("bad escape \\" + c);
      };
    }

    private char unicode() {
      if (pos + 4 > text.length()) {
        throw error("truncated \\u escape");
      }
      try {
        char c = (char) Integer.parseInt(text.substring(pos, pos + 4), 16);
        pos += 4;
        return c;
      } catch (NumberFormatException e) {
        throw error("bad \\u escape");
      }
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    /** The next non-whitespace character, or 0 at the end. */
    private char peek() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
      return pos < text.length() ? text.charAt(pos) : 0;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException(
          "headers are not a flat JSON object of strings (" + what + " at " + pos + "): " + text);
    }
  }
}
