package dev.outbox.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The console on the JDK's {@code com.sun.net.httpserver}: an adapter to {@link ConsoleRouter}. */
final class JdkConsoleHandler implements HttpHandler {
  private final ConsoleRouter router;

  JdkConsoleHandler(ConsoleRouter router) {
    this.router = router;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      ConsoleResponse response = router.handle(new Request(exchange));
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      byte[] body = response.body();
      // -1: no body at all (HEAD, redirects); 0 would mean a chunked one.
      exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  /** The exchange as a {@link ConsoleRequest}; paths are relative to the handler's context. */
  private static final class Request implements ConsoleRequest {
    private final HttpExchange exchange;
    private final String contextPath;

    Request(HttpExchange exchange) {
      this.exchange = exchange;
      this.contextPath = exchange.getHttpContext().getPath();
    }

    @Override
    public String method() {
      return exchange.getRequestMethod();
    }

    @Override
    public String basePath() {
      return contextPath.endsWith("/")
          ? contextPath.substring(0, contextPath.length() - 1)
          : contextPath;
    }

    @Override
    public String path() {
      String path = exchange.getRequestURI().getRawPath();
      String rel = path.startsWith(contextPath) ? path.substring(contextPath.length()) : path;
      if (contextPath.endsWith("/")) {
        rel = "/" + rel;
      }
      return rel; // not under the context ("/ctxfoo" for "/ctx"): no page, a 404
    }

    @Override
    public String rawQuery() {
      return exchange.getRequestURI().getRawQuery();
    }

    @Override
    public String header(String name) {
      return exchange.getRequestHeaders().getFirst(name);
    }

    @Override
    public InputStream body() {
      return exchange.getRequestBody();
    }
  }
}
