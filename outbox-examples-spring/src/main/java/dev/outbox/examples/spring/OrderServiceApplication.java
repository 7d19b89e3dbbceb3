package dev.outbox.examples.spring;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The order service: {@code POST /orders} places an order; the outbox delivers its event; {@code
 * /actuator/health}, {@code /actuator/outbox} and the console at {@code /outbox/} show it. Run it
 * from the project root: {@code mvn -B -q -Prun -pl outbox-examples-spring -am package
 * -DskipTests}.
 */
@SpringBootApplication
public class OrderServiceApplication {

  /** Starts the service. */
  public static void main(String[] args) {
    SpringApplication.run(OrderServiceApplication.class, args);
  }

  /** The sender: a real service would define a KafkaSender or RabbitMqSender here, or neither. */
  @Bean
  LoggingSender sender() {
    return new LoggingSender();
  }

  /** Places {@code example.sample-orders} orders at start, so a run shows deliveries at once. */
  @Bean
  ApplicationRunner sampleOrders(
      OrderService orders, @Value("${example.sample-orders:0}") int count) {
    return args -> {
      for (int i = 1; i <= count; i++) {
        orders.place("sample item " + i, i);
      }
    };
  }
}
