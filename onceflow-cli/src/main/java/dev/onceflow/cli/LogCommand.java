package dev.onceflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code onceflow log}: create, write, dump and inspect an embedded log directory. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Create, write, dump and inspect an onceflow log directory.",
    subcommands = {LogCreateCommand.class, LogProduceCommand.class, LogDumpCommand.class, LogStatCommand.class,
        LogTxnCommand.class, LogGroupCommand.class})
final class LogCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "Missing subcommand: try 'onceflow log --help' (create, produce, dump, stat, txn, group).");
  }
}
