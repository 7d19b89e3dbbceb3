package dev.outbox.console;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.outbox.OutboxAdmin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small web console over an {@link OutboxAdmin}: the backlog by topic and state, the dead letters
 * (replay, purge), the pending messages, a key's diagnosis (retry now, dead-letter its head), and
 * pausing and resuming topics. Plain HTML rendered on the server from templates that escape every
 * value, no script.
 *
 * <p>Mount it where the service already serves HTTP, under any path (its links stay under it), or
 * run it on its own:
 *
 * <pre>{@code
 * OutboxConsole console = OutboxConsole.builder(admin).writeAccess(true).build();
 * server.createContext("/outbox", console.handler());           // the JDK's HttpServer
 * new OutboxConsoleServlet(console)                             // a Servlet container or Spring
 *                                                               //   MVC, mapped to "/outbox/*"
 * ConsoleResponse r = console.handle(request);                  // any other server
 * try (ConsoleServer s = console.start(8099)) { ... }           // standalone, on 127.0.0.1
 * }</pre>
 *
 * <p>Read-only unless built with {@link Builder#writeAccess(boolean) writeAccess(true)}: a
 * read-only console shows no action buttons and refuses every POST with 403. Every action is a
 * POST, shows a confirmation page first (with the dry run's count) and carries this console's
 * random CSRF token; a POST from another origin is refused. The console has no authentication of
 * its own: bind it to the loopback interface (the default) or mount it behind the service's own
 * authentication.
 */
public final class OutboxConsole {
  private final OutboxAdmin admin;
  private final boolean writeAccess;
  private final boolean allowNonLoopback;
  private final String csrfToken;
  private final ConsoleRouter router;
  private final JdkConsoleHandler handler;

  private OutboxConsole(Builder b) {
    this.admin = b.admin;
    this.writeAccess = b.writeAccess;
    this.allowNonLoopback = b.allowNonLoopback;
    byte[] token = new byte[32];
    new SecureRandom().nextBytes(token);
    this.csrfToken = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    this.router = new ConsoleRouter(admin, writeAccess, csrfToken, false);
    this.handler = new JdkConsoleHandler(router);
  }

  /**
   * Starts a console over {@code admin}.
   *
   * @throws NullPointerException if {@code admin} is null
   */
  public static Builder builder(OutboxAdmin admin) {
    return new Builder(admin);
  }

  /** Whether this console may change data (replay, purge, pause, ...). */
  public boolean writeAccess() {
    return writeAccess;
  }

  /**
   * The console as a handler to mount on an {@link HttpServer} under any context path, e.g. {@code
   * server.createContext("/outbox", console.handler())}. Its links are relative to that path. The
   * same handler on every call.
   */
  public HttpHandler handler() {
    return handler;
  }

  /**
   * Answers one request, on any server: the transport-neutral entry point that {@link #handler()}
   * and {@link OutboxConsoleServlet} adapt. The whole response is rendered before it is returned; a
   * bad request, a refused one or a database failure is an error page with its status (400, 403,
   * 404, 405, 413, 415, 503), never an exception. Thread-safe.
   *
   * @throws NullPointerException if {@code request} is null
   */
  public ConsoleResponse handle(ConsoleRequest request) {
    return router.handle(Objects.requireNonNull(request, "request must not be null"));
  }

  /** The router every adapter of this console shares. */
  ConsoleRouter router() {
    return router;
  }

  /** {@link #start(InetSocketAddress)} on 127.0.0.1 at {@code port} (0: any free port). */
  public ConsoleServer start(int port) {
    return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  /**
   * Serves the console on its own HTTP server at {@code address}, on a few daemon threads, until
   * the returned server is closed. On a loopback address it answers only requests whose {@code
   * Host} is a loopback name or address (against DNS rebinding).
   *
   * @throws IllegalArgumentException if {@code address} is not a loopback address and {@link
   *     Builder#allowNonLoopback(boolean) allowNonLoopback(true)} was not set, or is unresolved
   * @throws UncheckedIOException if the server cannot bind
   */
  public ConsoleServer start(InetSocketAddress address) {
    Objects.requireNonNull(address, "address must not be null");
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("cannot resolve the console's address " + address);
    }
    boolean loopback = address.getAddress().isLoopbackAddress();
    if (!loopback && !allowNonLoopback) {
      throw new IllegalArgumentException(
          "refusing to serve the outbox console on non-loopback address "
              + address.getAddress().getHostAddress()
              + ": it has no authentication of its own, so anyone who can reach that address could"
              + " read the outbox"
              + (writeAccess ? " and change it" : "")
              + ". Bind it to 127.0.0.1 (the default), or set allowNonLoopback(true) on the"
              + " builder if that network is protected otherwise.");
    }
    HttpServer server;
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the outbox console on " + address, e);
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "outbox-console-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    ConsoleRouter own = new ConsoleRouter(admin, writeAccess, csrfToken, loopback);
    server.createContext("/", new JdkConsoleHandler(own));
    server.start();
    return new ConsoleServer(server, executor);
  }

  /** Configures an {@link OutboxConsole}. */
  public static final class Builder {
    private final OutboxAdmin admin;
    private boolean writeAccess;
    private boolean allowNonLoopback;

    private Builder(OutboxAdmin admin) {
      this.admin = Objects.requireNonNull(admin, "admin must not be null");
    }

    /**
     * Whether the console may change data: replay and purge dead letters, retry or dead-letter a
     * key's head, pause and resume topics. Default: false (read-only; every POST is refused with
     * 403 and no action button is shown).
     */
    public Builder writeAccess(boolean writeAccess) {
      this.writeAccess = writeAccess;
      return this;
    }

    /**
     * Whether {@link OutboxConsole#start(InetSocketAddress)} may bind a non-loopback address.
     * Default: false. The console has no authentication: allow this only on a protected network.
     */
    public Builder allowNonLoopback(boolean allowNonLoopback) {
      this.allowNonLoopback = allowNonLoopback;
      return this;
    }

    /** Builds the console. */
    public OutboxConsole build() {
      return new OutboxConsole(this);
    }
  }
}
