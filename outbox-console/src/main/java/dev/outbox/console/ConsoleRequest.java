package dev.outbox.console;

import java.io.IOException;
import java.io.InputStream;

/**
 * One HTTP request to the console, as any server hands it over: the transport-neutral side of
 * {@link OutboxConsole#handle}. The console ships adapters for the JDK's HTTP server ({@link
 * OutboxConsole#handler()}) and for a Servlet container or Spring MVC ({@link
 * OutboxConsoleServlet}); another server needs only this interface.
 */
public interface ConsoleRequest {

  /** The HTTP method, such as {@code GET} (any case). */
  String method();

  /**
   * The path the console is mounted under, as links should start, without a trailing slash: {@code
   * ""} at the root, {@code "/ops/outbox"} when mounted there.
   */
  String basePath();

  /**
   * The path below {@link #basePath()}, not decoded: {@code "/"} for the overview, {@code
   * "/dead-letters"}, ...; {@code ""} when the mount path itself was asked for (the console then
   * redirects to {@code basePath() + "/"}).
   */
  String path();

  /** The raw (still encoded) query string, without {@code ?}; null when there is none. */
  String rawQuery();

  /** The first value of the request header {@code name} (any case), or null. */
  String header(String name);

  /** The request body; read at most once. */
  InputStream body() throws IOException;
}
