package dev.outbox.console;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The console as a Jakarta Servlet (6.0, Jakarta EE 10): for a Servlet container (Jetty, Tomcat,
 * Undertow) or Spring MVC / Spring Boot. Map it to a path with a wildcard; its links stay under
 * that path:
 *
 * <pre>{@code
 * OutboxConsole console = OutboxConsole.builder(admin).build();
 * context.addServlet(new ServletHolder(new OutboxConsoleServlet(console)), "/outbox/*");  // Jetty
 * new ServletRegistrationBean<>(new OutboxConsoleServlet(console), "/outbox/*");       // Spring Boot
 * }</pre>
 *
 * <p>The servlet API is an optional dependency of this module: the application provides it (every
 * Servlet container and Spring Boot's web starter do). The console's checks are the same as on the
 * JDK server (read-only unless built with write access, CSRF token and same origin on every POST);
 * it has no authentication of its own, so mount it behind the application's (Spring Security, the
 * container's). The loopback {@code Host} check applies only to {@link OutboxConsole#start}.
 * Thread-safe.
 */
public final class OutboxConsoleServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient ConsoleRouter router;

  /**
   * The servlet of {@code console}.
   *
   * @throws NullPointerException if {@code console} is null
   */
  public OutboxConsoleServlet(OutboxConsole console) {
    this.router = Objects.requireNonNull(console, "console must not be null").router();
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    ConsoleResponse response = router.handle(new Request(req));
    resp.setStatus(response.status());
    response.headers().forEach(resp::setHeader);
    byte[] body = response.body();
    resp.setContentLength(body.length);
    if (body.length > 0) {
      try (OutputStream out = resp.getOutputStream()) {
        out.write(body);
      }
    }
  }

  /** The servlet request as a {@link ConsoleRequest}: paths below the servlet's mapping. */
  private static final class Request implements ConsoleRequest {
    private final HttpServletRequest req;

    Request(HttpServletRequest req) {
      this.req = req;
    }

    @Override
    public String method() {
      return req.getMethod();
    }

    @Override
    public String basePath() {
      String base = req.getContextPath() + req.getServletPath();
      return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    @Override
    public String path() {
      // The raw path less the (raw) context and servlet paths: not decoded, like the JDK's.
      String uri = req.getRequestURI();
      String base = basePath();
      if (!uri.startsWith(base)) {
        String info = req.getPathInfo();
        return info == null ? "" : info;
      }
      return uri.substring(base.length());
    }

    @Override
    public String rawQuery() {
      return req.getQueryString();
    }

    @Override
    public String header(String name) {
      return req.getHeader(name);
    }

    @Override
    public InputStream body() throws IOException {
      return req.getInputStream();
    }
  }
}
