package dev.outbox.examples.demo;

/** A problem that stops the demo, with a message that tells the user what to do. */
final class DemoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  DemoException(String message, Throwable cause) {
    super(message, cause);
  }
}
