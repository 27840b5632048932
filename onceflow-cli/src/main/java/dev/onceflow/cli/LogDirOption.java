package dev.onceflow.cli;

import dev.onceflow.log.Log;
import dev.onceflow.log.LogLockedException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** The {@code --dir} option shared by the log commands, and opening the log it names. */
final class LogDirOption {
  @CommandLine.Option(names = "--dir", required = true, paramLabel = "DIR", description = "The log directory.")
  Path dir;

  /** Opens an existing log directory; a missing one or one owned by another process is a usage error. */
  Log openExisting(CommandLine cmd) {
    if (!Files.isDirectory(dir)) {
      throw new CommandLine.ParameterException(cmd, "No log directory at " + dir
          + "; create one with 'onceflow log create --dir " + dir + " --topic T --partitions N'.");
    }
    return open(cmd);
  }

  /**
   * Opens an existing log directory read-only, for inspection: nothing in it is created, truncated or written (not
   * even a torn tail); a directory owned by a running writer is a usage error naming its pid.
   */
  Log openReadOnly(CommandLine cmd) {
    if (!Files.isDirectory(dir)) {
      throw new CommandLine.ParameterException(cmd, "No log directory at " + dir
          + "; create one with 'onceflow log create --dir " + dir + " --topic T --partitions N'.");
    }
    try {
      return Log.open(dir, dev.onceflow.log.LogConfig.builder().readOnly(true).build());
    } catch (LogLockedException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
  }

  /** Opens (creating if needed) the log directory. */
  Log open(CommandLine cmd) {
    try {
      return Log.open(dir);
    } catch (LogLockedException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
  }

  /** Fails with a usage error unless the topic exists. */
  static void requireTopic(CommandLine cmd, Log log, String topic) {
    if (!log.topicExists(topic)) {
      throw new CommandLine.ParameterException(cmd, "Unknown topic '" + topic + "'; existing topics: " + log.topics()
          + ". Create it with 'onceflow log create'.");
    }
  }
}
