package dev.outbox.spi;

/**
 * A running source of "new messages were committed" signals, such as PostgreSQL LISTEN. Closing it
 * stops its thread and releases its connection; closing twice is harmless.
 */
public interface Wakeup extends AutoCloseable {

  /** A wake-up source that never signals: the relay relies on its poll interval. */
  Wakeup NONE = () -> {};

  @Override
  void close();
}
