package dev.onceflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Isolation;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.TopicPartition;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onceflow log dump}: prints a topic's records, partition by partition, in offset order. Opens the directory
 * read-only: it never modifies a file (a torn tail is skipped, not truncated).
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Print a topic's records (partition, offset, timestamp, key, value), or one JSON object per line.")
final class LogDumpCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin LogDirOption logDir;

  @Option(names = "--topic", required = true, description = "Topic to dump.")
  String topic;

  @Option(names = "--isolation", defaultValue = "read-committed",
      description = "read-committed (default) or read-uncommitted.")
  String isolation;

  @Option(names = "--json", description = "One JSON object per record: topic, partition, offset, timestamp, key, value.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    Isolation iso = switch (isolation) {
      case "read-committed" -> Isolation.READ_COMMITTED;
      case "read-uncommitted" -> Isolation.READ_UNCOMMITTED;
      default -> throw new CommandLine.ParameterException(cmd,
          "--isolation must be read-committed or read-uncommitted, was '" + isolation + "'");
    };
    ObjectMapper mapper = new ObjectMapper();
    PrintWriter out = cmd.getOut();
    try (Log log = logDir.openReadOnly(cmd)) {
      LogDirOption.requireTopic(cmd, log, topic);
      for (int p = 0; p < log.partitions(topic); p++) {
        TopicPartition tp = new TopicPartition(topic, p);
        try (Consumer c = log.consumer(new ConsumerConfig(iso, Optional.empty()))) {
          c.assign(List.of(tp));
          for (List<LogRecord> batch = c.poll(4096); !batch.isEmpty(); batch = c.poll(4096)) {
            for (LogRecord r : batch) {
              if (json) {
                ObjectNode o = mapper.createObjectNode();
                o.put("topic", r.topic());
                o.put("partition", r.partition());
                o.put("offset", r.offset());
                o.put("timestamp", r.timestamp());
                o.put("key", text(r.key()));
                o.put("value", text(r.value()));
                out.println(mapper.writeValueAsString(o));
              } else {
                out.println(r.partition() + "\t" + r.offset() + "\t" + r.timestamp() + "\t"
                    + (r.key() == null ? "" : text(r.key())) + "\t" + (r.value() == null ? "" : text(r.value())));
              }
            }
          }
        }
      }
      out.flush();
    }
    return 0;
  }

  private static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

}
