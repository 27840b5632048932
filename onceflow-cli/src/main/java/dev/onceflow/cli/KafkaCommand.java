package dev.onceflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code onceflow kafka}: a local broker to try Onceflow on Kafka, and tools for lingering transactions. */
@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    description = "Start a local single-node Kafka broker, or list and resolve Kafka transactions.",
    subcommands = {KafkaBrokerCommand.class, KafkaTxnCommand.class})
final class KafkaCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "Missing subcommand: try 'onceflow kafka --help' (broker, txn).");
  }
}
