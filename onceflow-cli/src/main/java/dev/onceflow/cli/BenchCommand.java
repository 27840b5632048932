package dev.onceflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code onceflow bench}: benchmarks; each is a subcommand. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks. Numbers depend on the machine: run them on yours.",
    subcommands = {BenchLogCommand.class, BenchTagCountCommand.class, BenchPipelineCommand.class,
        BenchLatencyCommand.class, BenchPostgresCommand.class, BenchKafkaCommand.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "Missing subcommand: try 'onceflow bench --help'.");
  }
}
