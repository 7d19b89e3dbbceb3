package dev.outbox.console;

/** A response other than 200, with the message shown on its page. */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String allow;

  HttpError(int status, String message) {
    this(status, message, null);
  }

  /** With {@code allow} the methods to name in the {@code Allow} header (for 405). */
  HttpError(int status, String message, String allow) {
    super(message);
    this.status = status;
    this.allow = allow;
  }
}
