package dev.outbox.admin;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the operator tools (the CLI's {@code dead show}, the console's dead-letter page) show the
 * start of a payload ({@link DeadLetterView#payloadPreview()}): as text when it is UTF-8 without
 * control characters (newline and tab allowed), else as hex, {@link #HEX_WIDTH} bytes a line led by
 * their offset; then, when the payload was longer than what was read, how many bytes were left out.
 * Stateless and thread-safe.
 */
public final class PayloadText {
  /** Bytes on one hex line. */
  public static final int HEX_WIDTH = 16;

  /** Longest UTF-8 sequence, less one: what a cut may leave of a character at the end. */
  private static final int CUT_CHARACTER = 3;

  private PayloadText() {}

  /**
   * The lines that show {@code preview}, the first bytes of a payload of {@code size} bytes: a
   * heading ("payload (text):" or "payload (hex):"), the text's lines or the hex lines, and, when
   * {@code preview} is shorter than {@code size}, a line "… N bytes left out".
   */
  public static List<String> lines(byte[] preview, long size) {
    boolean cut = preview.length < size;
    String text = text(preview, cut);
    List<String> lines = new ArrayList<>();
    if (text != null) {
      lines.add("payload (text):");
      lines.addAll(text.lines().toList());
    } else {
      lines.add("payload (hex):");
      lines.addAll(hex(preview));
    }
    if (cut) {
      lines.add(String.format(Locale.ROOT, "… %,d bytes left out", size - preview.length));
    }
    return lines;
  }

  /**
   * {@code bytes} as text, or null when they are not printable text. A cut payload may end inside a
   * character, so up to three trailing bytes may be dropped to find one.
   */
  private static String text(byte[] bytes, boolean cut) {
    int dropMost = cut ? Math.min(CUT_CHARACTER, bytes.length) : 0;
    for (int drop = 0; drop <= dropMost; drop++) {
      String s = decode(bytes, bytes.length - drop);
      if (s != null) {
        return printable(s) ? s : null;
      }
    }
    return null;
  }

  private static String decode(byte[] bytes, int length) {
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = utf8.decode(ByteBuffer.wrap(bytes, 0, length));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean printable(String s) {
    return s.chars().allMatch(c -> c == '\n' || c == '\t' || !Character.isISOControl(c));
  }

  /** {@code bytes} in hex, {@link #HEX_WIDTH} a line, each line led by its offset. */
  private static List<String> hex(byte[] bytes) {
    List<String> lines = new ArrayList<>();
    for (int start = 0; start < bytes.length; start += HEX_WIDTH) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%08x ", start));
      for (int i = start; i < Math.min(start + HEX_WIDTH, bytes.length); i++) {
        line.append(String.format(Locale.ROOT, " %02x", bytes[i]));
      }
      lines.add(line.toString());
    }
    return lines;
  }
}
