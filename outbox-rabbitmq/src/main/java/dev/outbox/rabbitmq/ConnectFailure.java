package dev.outbox.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Says in words why opening a connection failed, naming the host and port, the virtual host and the
 * user as they apply; never the password. amqp-client reports most failures as a bare {@link
 * IOException} around the real cause, which this looks for.
 */
final class ConnectFailure {
  private ConnectFailure() {}

  /**
   * {@code e} described: an {@link IOException}, or a {@link TimeoutException} for a timeout, with
   * {@code e} as its cause, so the relay still takes it for the broker being unreachable.
   */
  static Exception describe(Exception e, ConnectionFactory factory) {
    String where = "RabbitMQ at " + factory.getHost() + ":" + factory.getPort();
    String vhost = "virtual host '" + factory.getVirtualHost() + "'";
    String user = "user '" + factory.getUsername() + "'";
    String text = why(e, where, vhost, user);
    if (e instanceof TimeoutException || find(e, SocketTimeoutException.class) != null) {
      TimeoutException timeout = new TimeoutException(text);
      timeout.initCause(e);
      return timeout;
    }
    return new IOException(text, e);
  }

  private static String why(Exception e, String where, String vhost, String user) {
    AuthenticationFailureException auth = find(e, AuthenticationFailureException.class);
    if (auth != null) {
      return "authentication failed: "
          + where
          + " refused the login of "
          + user
          + " (wrong user name or password?): "
          + auth.getMessage();
    }
    ShutdownSignalException closed = find(e, ShutdownSignalException.class);
    if (closed != null && closed.getReason() instanceof AMQP.Connection.Close close) {
      String reply = close.getReplyCode() + " " + close.getReplyText();
      if (close.getReplyCode() == AMQP.NOT_ALLOWED || close.getReplyText().contains("vhost")) {
        String what =
            close.getReplyText().contains("not found")
                ? vhost + " does not exist"
                : close.getReplyText().contains("refused")
                    ? user + " has no access to " + vhost
                    : vhost + " does not exist, or " + user + " has no access to it";
        return where + " refused to open " + vhost + " for " + user + ": " + what + ": " + reply;
      }
      if (close.getReplyCode() == AMQP.ACCESS_REFUSED) {
        return "authentication failed: " + where + " refused " + user + ": " + reply;
      }
      return where + " closed the connection while it was being opened: " + reply;
    }
    if (find(e, PossibleAuthenticationFailureException.class) != null) {
      return where
          + " closed the connection during the login of "
          + user
          + " to "
          + vhost
          + ": possibly an authentication failure (wrong user name or password?)";
    }
    if (find(e, SSLException.class) != null) {
      return "TLS handshake with " + where + " failed: " + find(e, SSLException.class).getMessage();
    }
    ConnectException refused = find(e, ConnectException.class);
    if (refused != null) {
      return "connection refused: nothing accepts connections at "
          + where
          + " (is the broker running, and is the port right?): "
          + refused.getMessage();
    }
    if (find(e, NoRouteToHostException.class) != null) {
      return "host unreachable: no route to " + where;
    }
    if (find(e, UnknownHostException.class) != null) {
      return "unknown host: " + where + " (the host name does not resolve)";
    }
    if (e instanceof TimeoutException || find(e, SocketTimeoutException.class) != null) {
      return "timed out connecting to " + where + " (connectTimeout): " + e.getMessage();
    }
    return "could not connect to " + where + " (" + vhost + ", " + user + "): " + e;
  }

  /** The first of {@code e}'s causes, {@code e} included, that is a {@code type}; or null. */
  static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
