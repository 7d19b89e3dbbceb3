package dev.outbox.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the database server for the tests, in the order DESIGN §9 gives: the JDBC URL in an
 * environment variable; else the local default server if it answers; else a Testcontainers
 * container where a Docker engine runs; else a failure that says how to provide one.
 */
public final class TestServers {
  private static final Pattern HOST_PORT = Pattern.compile("//([^/:?]+)(?::(\\d+))?");

  private TestServers() {}

  /**
   * @param envVar the environment variable that may hold a JDBC URL
   * @param localUrl the URL of the local default server
   * @param container starts a container and returns its URL, or returns null when no Docker engine
   *     is available
   * @param what the database's name, for the failure message
   */
  public static String find(
      String envVar, String localUrl, Supplier<String> container, String what) {
    String fromEnv = System.getenv(envVar);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    if (answers(localUrl)) {
      return localUrl;
    }
    String fromContainer = container.get();
    if (fromContainer != null) {
      return fromContainer;
    }
    throw new IllegalStateException(
        "No "
            + what
            + " server for the tests: set "
            + envVar
            + " to a JDBC URL (with user and password), or start one locally at "
            + localUrl
            + ", or make a Docker engine available for Testcontainers.");
  }

  /**
   * The host and port {@code jdbcUrl} ({@code jdbc:<driver>://host[:port]...}) points at, as {@code
   * host:port}; {@code defaultPort} when it names none.
   */
  public static String hostAndPort(String jdbcUrl, int defaultPort) {
    Matcher m = HOST_PORT.matcher(jdbcUrl);
    if (!m.find()) {
      throw new IllegalStateException("cannot find host and port in " + jdbcUrl);
    }
    return m.group(1) + ":" + (m.group(2) == null ? defaultPort : m.group(2));
  }

  /** {@code jdbcUrl} with its host and port replaced, to connect through a proxy. */
  public static String jdbcUrlVia(String jdbcUrl, String host, int port) {
    return HOST_PORT.matcher(jdbcUrl).replaceFirst("//" + host + ":" + port);
  }

  /** Runs {@code sql} on a connection of its own to {@code jdbcUrl}, outside any pool. */
  public static void execute(String jdbcUrl, String sql) {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
    }
  }

  private static boolean answers(String url) {
    DriverManager.setLoginTimeout(3);
    try (Connection c = DriverManager.getConnection(url)) {
      return c.isValid(3);
    } catch (SQLException e) {
      return false;
    }
  }
}
