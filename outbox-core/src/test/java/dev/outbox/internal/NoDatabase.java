package dev.outbox.internal;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The data source of a relay on the {@link InMemoryDialect}: its connections only open, close and
 * report auto-commit, and refuse anything else, so a test fails loudly if the relay ever did JDBC
 * work itself instead of through its dialect.
 */
public final class NoDatabase implements DataSource {

  @Override
  public Connection getConnection() {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getAutoCommit", "isValid" -> true;
                  case "isClosed" -> false;
                  case "close", "setAutoCommit" -> null;
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  case "toString" -> "NoDatabase connection";
                  default ->
                      throw new UnsupportedOperationException(
                          "the relay used the connection itself (" + method.getName() + ")");
                });
  }

  @Override
  public Connection getConnection(String user, String password) {
    return getConnection();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getGlobal();
  }

  @Override
  public <T> T unwrap(Class<T> iface) {
    throw new UnsupportedOperationException("unwrap");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
