package dev.onceflow.cli;

import dev.onceflow.log.Log;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code onceflow log stat}: offsets, last stable offsets, open and prepared transactions, producers, segments. */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Print per-partition offsets (start, end, last stable), segments, producer ids and open or"
        + " PREPARED transactions.")
final class LogStatCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin LogDirOption logDir;

  @Override
  public Integer call() {
    try (Log log = logDir.openReadOnly(spec.commandLine())) {
      spec.commandLine().getOut().print(log.stats().render());
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
