package dev.outbox.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports an {@link InvalidOutboxPropertyException} as the property to change and why. */
public final class InvalidOutboxPropertyFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidOutboxPropertyException> {

  @Override
  protected FailureAnalysis analyze(Throwable root, InvalidOutboxPropertyException cause) {
    return new FailureAnalysis(
        cause.getMessage(),
        "Change " + cause.property() + " in the application's configuration.",
        cause);
  }
}
