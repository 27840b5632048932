package dev.onceflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code onceflow} command. Each capability is a subcommand with its own {@code --help}. */
@Command(
    name = "onceflow",
    mixinStandardHelpOptions = true,
    version = "onceflow 0.1.0-SNAPSHOT",
    description = "A stream-processing engine whose product is the processing guarantee.",
    subcommands = {DemoCommand.class, VerifyCommand.class, LogCommand.class, BenchCommand.class, PostgresCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code: 0 success, 1 a broken promise or failure, 2 bad usage. */
  public static int run(String... args) {
    CommandLine cmd = new CommandLine(new Main());
    // Bad usage: one line naming the problem, exit code 2 (no usage dump; --help has it).
    cmd.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("onceflow: " + ex.getMessage());
      ex.getCommandLine().getErr().flush();
      return 2;
    });
    return cmd.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'onceflow --help'.");
  }
}
