package dev.outbox.examples.spring;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /orders {"item": "...", "quantity": 2}} places an order. */
@RestController
class OrderController {
  private final OrderService orders;

  OrderController(OrderService orders) {
    this.orders = orders;
  }

  /** The body of {@code POST /orders}. */
  record NewOrder(String item, int quantity) {}

  @PostMapping("/orders")
  @ResponseStatus(HttpStatus.CREATED)
  OrderService.Placed place(@RequestBody NewOrder order) {
    return orders.place(order.item(), order.quantity());
  }
}
