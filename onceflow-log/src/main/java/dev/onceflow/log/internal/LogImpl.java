package dev.onceflow.log.internal;

import dev.onceflow.log.Log;
import dev.onceflow.log.LogConfig;
import java.nio.file.Path;

/** The log implementation (work in progress). */
public final class LogImpl {
  private LogImpl() {}

  /** Opens the log. */
  public static Log open(Path dir, LogConfig config) {
    throw new UnsupportedOperationException("onceflow-log implementation is landing; API is stable");
  }
}
