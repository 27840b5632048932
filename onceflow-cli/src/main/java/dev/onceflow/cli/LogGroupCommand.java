package dev.onceflow.cli;

import dev.onceflow.log.Log;
import dev.onceflow.log.TopicPartition;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onceflow log group}: lists consumer groups (a pipeline reading a topic with a LogSource holds its positions
 * in group {@code onceflow.<job>}, and retention keeps everything at or after the smallest committed offset), or
 * deletes one to release the hold of a pipeline that will never run again.
 */
@Command(name = "group", mixinStandardHelpOptions = true,
    description = "List consumer groups with their committed offsets and lag (list), or delete one so that retention"
        + " no longer keeps data for it (delete --group G).",
    subcommands = {LogGroupCommand.List.class, LogGroupCommand.Delete.class})
final class LogGroupCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "Missing subcommand: try 'onceflow log group list --dir D' or 'onceflow log group delete --dir D --group G'.");
  }

  /** {@code onceflow log group list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Per group and partition: committed offset, partition start and end offset, lag. Read-only.")
  static final class List implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin LogDirOption logDir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (Log log = logDir.openReadOnly(spec.commandLine())) {
        Map<String, Map<TopicPartition, Long>> groups = log.groupOffsets();
        out.printf("%d group(s)%n", groups.size());
        out.printf("%-30s %-30s %12s %12s %12s %12s%n", "group", "partition", "committed", "start", "end", "lag");
        for (var g : groups.entrySet()) {
          for (var e : new java.util.TreeMap<>(g.getValue()).entrySet()) {
            TopicPartition tp = e.getKey();
            boolean exists = log.topicExists(tp.topic()) && tp.partition() < log.partitions(tp.topic());
            long start = exists ? log.startOffset(tp) : -1;
            long end = exists ? log.endOffset(tp) : -1;
            out.printf("%-30s %-30s %12d %12d %12d %12s%n", g.getKey(), tp, e.getValue(), start, end,
                exists ? Long.toString(Math.max(0, end - e.getValue())) : "-");
          }
        }
      }
      out.flush();
      return 0;
    }
  }

  /** {@code onceflow log group delete}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Forget a group's committed offsets, releasing what retention kept for it. A pipeline that runs"
          + " again later commits its positions again, but retention may have deleted what it needed: it then stops"
          + " with an error naming the partition and the deleted range.")
  static final class Delete implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin LogDirOption logDir;

    @Option(names = "--group", required = true, description = "The group, e.g. onceflow.<job name>.")
    String group;

    @Override
    public Integer call() {
      CommandLine cmd = spec.commandLine();
      try (Log log = logDir.openExisting(cmd)) {
        if (!log.deleteGroup(group)) {
          throw new CommandLine.ParameterException(cmd, "No group '" + group + "'; existing groups: "
              + log.groupOffsets().keySet() + ". List them with 'onceflow log group list'.");
        }
        cmd.getOut().printf("deleted group %s%n", group);
        cmd.getOut().flush();
      }
      return 0;
    }
  }
}
