package dev.onceflow.cli;

import dev.onceflow.log.Log;
import dev.onceflow.log.TopicConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code onceflow log create}: creates a topic (and the directory if needed). */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic (idempotent).")
final class LogCreateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin LogDirOption logDir;

  @Option(names = "--topic", required = true, description = "Topic name ([A-Za-z0-9._-]).")
  String topic;

  @Option(names = "--partitions", defaultValue = "1", description = "Number of partitions (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--segment-bytes", description = "Segment size in bytes (default 64 MiB).")
  Integer segmentBytes;

  @Option(names = "--retention-bytes", defaultValue = "-1", description = "Per-partition size limit, -1 = unlimited.")
  long retentionBytes;

  @Option(names = "--retention-ms", defaultValue = "-1", description = "Age limit in ms, -1 = forever.")
  long retentionMs;

  @Override
  public Integer call() {
    TopicConfig config;
    try {
      TopicConfig.Builder b = TopicConfig.builder().partitions(partitions).retentionBytes(retentionBytes)
          .retentionMs(retentionMs);
      if (segmentBytes != null) {
        b.segmentBytes(segmentBytes);
      }
      config = b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try (Log log = logDir.open(spec.commandLine())) {
      try {
        log.createTopic(topic, config);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      spec.commandLine().getOut().printf("topic %s: %d partitions in %s%n", topic, log.partitions(topic),
          logDir.dir);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
