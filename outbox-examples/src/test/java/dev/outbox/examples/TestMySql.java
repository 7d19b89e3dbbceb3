package dev.outbox.examples;

import dev.outbox.testkit.TestServers;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.mysql.MySQLContainer;

/**
 * MySQL or MariaDB for the examples' tests, found as the conformance suite finds it ({@code
 * OUTBOX_TEST_MYSQL_URL}, else the local server at 127.0.0.1:3306 as root, else Testcontainers).
 */
public final class TestMySql {
  static final String ENV = "OUTBOX_TEST_MYSQL_URL";
  static final String LOCAL = "jdbc:mysql://127.0.0.1:3306/?user=root";

  private static String serverUrl;

  private TestMySql() {}

  /** The server's JDBC URL, user and password included, without a database. */
  public static synchronized String jdbcUrl() {
    if (serverUrl == null) {
      serverUrl = TestServers.find(ENV, LOCAL, TestMySql::container, "MySQL or MariaDB");
    }
    return serverUrl;
  }

  /** Runs {@code sql} on the server. */
  public static void execute(String sql) {
    TestServers.execute(jdbcUrl(), sql);
  }

  private static String container() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return null;
    }
    MySQLContainer mysql =
        new MySQLContainer("mysql:8.0").withUsername("root").withPassword("test");
    mysql.start();
    String url = mysql.getJdbcUrl();
    return url + (url.contains("?") ? "&" : "?") + "user=root&password=test";
  }
}
