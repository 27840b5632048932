package dev.onceflow.cli;

import dev.onceflow.log.Log;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicPartition;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onceflow log produce}: appends stdin lines, {@code key<TAB>value} or value only, through an idempotent
 * producer in batches.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Append lines from stdin: 'key<TAB>value' or 'value'. Keyed lines go to hash(key) mod partitions,"
        + " unkeyed ones round-robin, unless --partition is given.")
final class LogProduceCommand implements Callable<Integer> {
  private static final int BATCH = 1000;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin LogDirOption logDir;

  @Option(names = "--topic", required = true, description = "Topic to append to.")
  String topic;

  @Option(names = "--partition", description = "Append every line to this partition.")
  Integer partition;

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    try (Log log = logDir.openExisting(cmd)) {
      LogDirOption.requireTopic(cmd, log, topic);
      int partitions = log.partitions(topic);
      if (partition != null && (partition < 0 || partition >= partitions)) {
        throw new CommandLine.ParameterException(cmd, "--partition must be in [0, " + (partitions - 1) + "] for topic "
            + topic + ", was " + partition);
      }
      List<List<ProducerRecord>> pending = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        pending.add(new ArrayList<>());
      }
      long count = 0;
      long acknowledged = 0;
      int roundRobin = 0;
      try (Producer producer = log.idempotentProducer();
          BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          int tab = line.indexOf('\t');
          byte[] key = tab < 0 ? null : line.substring(0, tab).getBytes(StandardCharsets.UTF_8);
          byte[] value = (tab < 0 ? line : line.substring(tab + 1)).getBytes(StandardCharsets.UTF_8);
          int p = partition != null ? partition
              : key != null ? Math.floorMod(Arrays.hashCode(key), partitions) : roundRobin++ % partitions;
          List<ProducerRecord> batch = pending.get(p);
          batch.add(new ProducerRecord(key, value, System.currentTimeMillis(), null));
          count++;
          if (batch.size() >= BATCH) {
            acknowledged += send(producer, p, batch, count, acknowledged);
            batch.clear();
          }
        }
        for (int p = 0; p < partitions; p++) {
          if (!pending.get(p).isEmpty()) {
            acknowledged += send(producer, p, pending.get(p), count, acknowledged);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("reading stdin failed: " + e.getMessage(), e);
      }
      cmd.getOut().printf("produced %d records to %s%n", count, topic);
      cmd.getOut().flush();
    }
    return 0;
  }

  /** Sends one batch; on failure says how many lines were acknowledged (durable) and which were not. */
  private int send(Producer producer, int p, List<ProducerRecord> batch, long read, long acknowledged) {
    try {
      producer.sendBatch(new TopicPartition(topic, p), batch);
      return batch.size();
    } catch (RuntimeException e) {
      throw new CommandFailedException("appending to " + topic + " failed: " + acknowledged + " of the " + read
          + " lines read were acknowledged (durable); the batch of " + batch.size() + " lines for partition " + p
          + ", the lines still buffered and the rest of stdin were not", e);
    }
  }
}
