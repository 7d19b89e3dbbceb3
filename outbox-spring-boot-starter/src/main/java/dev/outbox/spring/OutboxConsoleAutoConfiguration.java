package dev.outbox.spring;

import dev.outbox.OutboxAdmin;
import dev.outbox.console.OutboxConsole;
import dev.outbox.console.OutboxConsoleServlet;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * Mounts the outbox web console ({@link OutboxConsoleServlet}) under {@code outbox.console.path}
 * (default {@code /outbox}) of a Servlet web application, when {@code outbox.console.enabled=true}
 * and outbox-console is on the class path. Read-only unless {@code
 * outbox.console.write-access=true}. The console has no authentication of its own: put the path
 * behind the application's security.
 */
@AutoConfiguration(after = {OutboxAutoConfiguration.class, OutboxInstancesAutoConfiguration.class})
@ConditionalOnClass({OutboxConsoleServlet.class, ServletRegistrationBean.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "outbox.console.enabled")
@ConditionalOnSingleCandidate(OutboxAdmin.class)
public class OutboxConsoleAutoConfiguration {
  private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");

  /** Creates the configuration; Spring calls it. */
  public OutboxConsoleAutoConfiguration() {}

  /** The console's servlet, mapped to {@code outbox.console.path} and everything below it. */
  @Bean(name = "outboxConsoleServlet")
  @ConditionalOnMissingBean(name = "outboxConsoleServlet")
  public ServletRegistrationBean<OutboxConsoleServlet> outboxConsoleServlet(
      OutboxAdmin admin, OutboxProperties props) {
    OutboxProperties.Console p = props.getConsole();
    String path = p.getPath();
    if (path == null || !PATH.matcher(path).matches()) {
      throw new InvalidOutboxPropertyException(
          OutboxProperties.PREFIX + ".console.path",
          "must be a path such as /outbox (segments of letters, digits, '.', '_', '~', '-';"
              + " no trailing slash), was '"
              + path
              + "'",
          null);
    }
    OutboxConsole console = OutboxConsole.builder(admin).writeAccess(p.isWriteAccess()).build();
    ServletRegistrationBean<OutboxConsoleServlet> registration =
        new ServletRegistrationBean<>(new OutboxConsoleServlet(console), path + "/*");
    registration.setName("outboxConsole");
    return registration;
  }
}
