package dev.outbox.console;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's answer to a {@link ConsoleRequest}: a status, headers (with the content type) and a
 * body, all rendered before anything is sent, so a failure becomes an error page. An adapter writes
 * the status, every header and the body as they are (the body is empty for HEAD and for redirects).
 * Immutable.
 */
public final class ConsoleResponse {
  private final int status;
  private final Map<String, String> headers;
  private final byte[] body;

  ConsoleResponse(int status, Map<String, String> headers, String body) {
    this.status = status;
    this.headers = Map.copyOf(new LinkedHashMap<>(headers));
    this.body = body.getBytes(StandardCharsets.UTF_8);
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The response headers by name, including {@code Content-Type} when there is a body. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The body (UTF-8), possibly empty; a copy. */
  public byte[] body() {
    return body.clone();
  }
}
