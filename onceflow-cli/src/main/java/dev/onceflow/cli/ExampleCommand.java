package dev.onceflow.cli;

import dev.onceflow.examples.ConnectorRunner;
import dev.onceflow.examples.Example;
import dev.onceflow.examples.ExampleRunner;
import dev.onceflow.examples.Examples;
import dev.onceflow.examples.OnKafka;
import dev.onceflow.examples.OnPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code onceflow example [NAME]}: runs one of the examples of onceflow-examples on the embedded log. */
@Command(
    name = "example",
    mixinStandardHelpOptions = true,
    description = {
        "Runs an example pipeline (the source is in onceflow-examples/src/main/java/dev/onceflow/examples) on the"
            + " embedded log: writes a small input, runs the pipeline to the end of it, prints the first output"
            + " lines and where the output is. Without NAME (or with --list) lists the examples.",
        "Run it again with the same --dir: the job finds its final checkpoint and writes nothing more.",
        "--kafka HOST:PORT runs an example Kafka topic to Kafka topic (tag-counts); --postgres JDBC_URL writes its"
            + " output to a PostgreSQL table (payments, clicks; credentials from PGUSER/PGPASSWORD). Topics and"
            + " tables are named after the --dir."})
final class ExampleCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin DashboardOption dashboardOption = new DashboardOption();

  @CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The example to run.")
  String name;

  @CommandLine.Option(names = "--list", description = "List the examples.")
  boolean list;

  @CommandLine.Option(names = "--dir", paramLabel = "DIR",
      description = "Directory for the log and the checkpoints (kept; default: a new temporary directory).")
  Path dir;

  @CommandLine.Option(names = "--events", paramLabel = "N",
      description = "Input events (default: the example's own, a few thousand).")
  Long events;

  @CommandLine.Option(names = "--lines", paramLabel = "K", defaultValue = "8",
      description = "Output lines to print (default: ${DEFAULT-VALUE}).")
  int lines;

  @CommandLine.Option(names = "--kafka", paramLabel = "BOOTSTRAP_SERVERS",
      description = "Run Kafka topic to Kafka topic on this cluster (tag-counts).")
  String kafka;

  @CommandLine.Option(names = "--postgres", paramLabel = "JDBC_URL",
      description = "Write the output to a table of this PostgreSQL database (payments, clicks).")
  String postgres;

  private static String names(Class<?> kind) {
    return Examples.all().stream().filter(kind::isInstance).map(Example::name).collect(Collectors.joining(", "));
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (list || name == null) {
      out.println("examples (./onceflow example NAME [--dir D] [--events N]):");
      for (Example e : Examples.all()) {
        out.printf("  %-11s %s%n", e.name(), e.summary());
      }
      out.flush();
      return 0;
    }
    Example example = Examples.byName(name).orElseThrow(() -> new CommandLine.ParameterException(
        spec.commandLine(), "Unknown example '" + name + "'; the examples are: "
            + Examples.all().stream().map(Example::name).collect(Collectors.joining(", ")) + "."));
    if (events != null && events < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--events must be >= 1, was " + events);
    }
    if (lines < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--lines must be >= 0, was " + lines);
    }
    Path where = dir;
    try {
      where = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("onceflow-example-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the directory " + (dir != null ? dir : "in java.io.tmpdir"), e);
    }
    if (kafka != null && postgres != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give --kafka or --postgres, not both");
    }
    if (kafka != null && !(example instanceof OnKafka)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "the example " + name + " has no Kafka variant;"
          + " --kafka runs: " + names(OnKafka.class));
    }
    if (postgres != null && !(example instanceof OnPostgres)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "the example " + name + " has no PostgreSQL"
          + " variant; --postgres runs: " + names(OnPostgres.class));
    }
    dashboardOption.apply();
    long n = events != null ? events : example.defaultEvents();
    ExampleRunner.Run run = kafka != null ? ConnectorRunner.runOnKafka((OnKafka) example, where, n, kafka)
        : postgres != null ? ConnectorRunner.runOnPostgres((OnPostgres) example, where, n, postgres)
        : ExampleRunner.run(example, where, n);
    ExampleRunner.print(run, lines, out);
    return 0;
  }
}
