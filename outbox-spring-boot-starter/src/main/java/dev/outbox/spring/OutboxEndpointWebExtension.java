package dev.outbox.spring;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The {@code outbox} endpoint's write operation over HTTP, with statuses a client can act on: 403
 * while writes are not enabled ({@code outbox.actuator.writes-enabled=false}), 400 for an unknown
 * action or a missing argument, 200 with what was done otherwise. The reads are the endpoint's own.
 */
@EndpointWebExtension(endpoint = OutboxEndpoint.class)
public final class OutboxEndpointWebExtension {
  /** HTTP 403, which {@link WebEndpointResponse} has no constant for. */
  static final int STATUS_FORBIDDEN = 403;

  private final OutboxEndpoint endpoint;

  /** Answers for {@code endpoint} over HTTP. */
  public OutboxEndpointWebExtension(OutboxEndpoint endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
  }

  /**
   * {@link OutboxEndpoint#act}, answered with 403 while writes are disabled and 400 for a bad
   * request, each with an {@code error} saying why.
   */
  @WriteOperation
  public WebEndpointResponse<Map<String, Object>> act(
      String action, @Nullable String topic, @Nullable String reason, @Nullable Long deadLetterId) {
    if (!endpoint.writesEnabled()) {
      return error(
          STATUS_FORBIDDEN,
          "the outbox endpoint is read-only; set outbox.actuator.writes-enabled=true to allow "
              + action);
    }
    try {
      return new WebEndpointResponse<>(endpoint.act(action, topic, reason, deadLetterId));
    } catch (IllegalArgumentException e) {
      return error(WebEndpointResponse.STATUS_BAD_REQUEST, e.getMessage());
    }
  }

  private static WebEndpointResponse<Map<String, Object>> error(int status, String message) {
    return new WebEndpointResponse<>(Map.of("error", message), status);
  }
}
