package dev.onceflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code onceflow} command. Each capability is a subcommand with its own {@code --help}. */
@Command(
    name = "onceflow",
    mixinStandardHelpOptions = true,
    version = "onceflow 0.1.0-SNAPSHOT",
    description = "A stream-processing engine whose product is the processing guarantee.",
    subcommands = {DemoCommand.class, ExampleCommand.class, VerifyCommand.class, LogCommand.class, BenchCommand.class, PostgresCommand.class,
        KafkaCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
      description = "On failure, also print the stack trace.")
  boolean verbose;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code: 0 success, 1 a broken promise or failure, 2 bad usage. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The command line with its error handling: what {@link #run} executes (tests add commands to it). */
  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    // Bad usage: one line naming the problem, exit code 2 (no usage dump; --help has it).
    cmd.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("onceflow: " + ex.getMessage());
      ex.getCommandLine().getErr().flush();
      return 2;
    });
    cmd.setExecutionExceptionHandler(Main::failed);
    return cmd;
  }

  /**
   * A command failed at run time (disk full, I/O error, a failed job): one line saying what failed, what had been
   * acknowledged if the command knows, and the root cause; exit code 1. The stack trace only with --verbose.
   */
  private static int failed(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
    java.io.PrintWriter err = cmd.getErr();
    Throwable root = ex;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    StringBuilder line = new StringBuilder("onceflow ").append(cmd.getCommandName().equals("onceflow") ? ""
        : cmd.getCommandSpec().qualifiedName(" ").replaceFirst("^onceflow ", "")).append(": ");
    if (ex instanceof CommandFailedException) {
      line.append(ex.getMessage());
    } else {
      line.append("failed: ").append(ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage())
          .append("; nothing beyond what it printed before is known to be acknowledged or committed");
    }
    if (root != ex) {
      line.append(" (cause: ").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage())
          .append(')');
    }
    boolean verbose = false;
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      verbose |= p.hasMatchedOption("--verbose");
    }
    if (!verbose) {
      line.append(" [--verbose for the stack trace]");
    }
    err.println(line);
    if (verbose) {
      ex.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'onceflow --help'.");
  }
}
