package dev.realtime.spring;

import dev.realtime.config.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start that failed on realtime's settings into Boot's failure report: the setting's
 * own message (which names the key, its source and the nearest known key, secrets masked) as the
 * description, and what to change as the action, instead of a stack of bean-creation wrappers.
 */
final class RealtimeSettingsFailureAnalyzer
    extends AbstractFailureAnalyzer<ConfigurationException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
    return new FailureAnalysis(cause.getMessage(),
        "Correct the realtime.* setting named above in application.properties (or "
            + "application.yaml, or the environment). The keys and their values are listed in "
            + "docs/configuration.md; an IDE completes them from the starter's metadata.",
        cause);
  }
}
