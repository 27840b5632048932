package dev.onceflow.verify;

import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The embedded log as the verifier's input and output store. Only one process owns the log at a time: each method
 * opens the log and closes it before returning, so that no child runs while the verifier has it open.
 */
final class LogStores {
  private LogStores() {}

  /** The input topic {@code <job>-input} of the log in the work directory. */
  static final class Input implements InputStore {
    private final Path logDir;

    Input(Path logDir) {
      this.logDir = logDir;
    }

    @Override
    public void write(Job job, int partitions, InputLayout layout, boolean retention, List<InputEvent> input) {
      try (Log log = Log.open(logDir, Verifier.QUIET_LOG)) {
        writeInput(log, job, partitions, layout, retention, input);
      }
    }

    @Override
    public Map<String, String> childSettings() {
      return Map.of();
    }
  }

  /** The topic of one output of a job ({@code <job>-output}, {@code orders-events}, ...) of the log, read committed. */
  static final class Output implements OutputStore {
    private final Path logDir;
    private final String output;

    Output(Path logDir, String output) {
      this.logDir = logDir;
      this.output = output;
    }

    @Override
    public void create(Job job, int partitions) {
      try (Log log = Log.open(logDir, Verifier.QUIET_LOG)) {
        log.createTopic(JobRunSpec.outputTopic(job, output), TopicConfig.partitions(partitions));
      }
    }

    @Override
    public Map<String, String> childSettings() {
      return Map.of();
    }

    @Override
    public List<OutputRecord> readCommitted(Job job) {
      try (Log log = Log.open(logDir, Verifier.QUIET_LOG)) {
        return LogStores.readCommitted(log, JobRunSpec.outputTopic(job, output));
      }
    }

    @Override
    public int lingeringTransactions() {
      try (Log log = Log.open(logDir, Verifier.QUIET_LOG)) {
        return log.preparedTransactions("").size();
      }
    }
  }

  /**
   * Writes the input: position i to partition {@code layout.partitionOf(i)}, in batches, durably (the log's default
   * fsync). With {@code retention}, the input topic has 16 KiB segments and keeps 64 KiB per partition, so that a
   * retention pass can delete most of it.
   */
  static void writeInput(Log log, Job job, int partitions, InputLayout layout, boolean retention,
      List<InputEvent> input) {
    String topic = JobRunSpec.inputTopic(job);
    log.createTopic(topic, retention
        ? TopicConfig.builder().partitions(partitions).segmentBytes(Verifier.RETENTION_SEGMENT_BYTES)
            .retentionBytes(Verifier.RETENTION_BYTES).build()
        : TopicConfig.partitions(partitions));
    List<List<ProducerRecord>> batches = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      batches.add(new ArrayList<>());
    }
    try (Producer producer = log.idempotentProducer()) {
      for (InputEvent e : input) {
        int p = e.partition(layout, partitions);
        List<ProducerRecord> b = batches.get(p);
        b.add(new ProducerRecord(null, e.json().getBytes(StandardCharsets.UTF_8), e.timestamp(), null));
        if (b.size() == 2000) {
          producer.sendBatch(new TopicPartition(topic, p), b);
          batches.set(p, new ArrayList<>());
        }
      }
      for (int p = 0; p < partitions; p++) {
        if (!batches.get(p).isEmpty()) {
          producer.sendBatch(new TopicPartition(topic, p), batches.get(p));
        }
      }
    }
  }

  /** Every committed record of {@code topic}, per partition in offset order (up to the last stable offsets). */
  static List<OutputRecord> readCommitted(Log log, String topic) {
    List<OutputRecord> out = new ArrayList<>();
    try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < log.partitions(topic); i++) {
        tps.add(new TopicPartition(topic, i));
      }
      c.assign(tps);
      for (TopicPartition tp : tps) {
        c.seekToBeginning(tp);
      }
      while (true) {
        List<LogRecord> batch = c.poll(10_000);
        for (LogRecord r : batch) {
          out.add(new OutputRecord(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
              new String(r.value(), StandardCharsets.UTF_8)));
        }
        if (batch.isEmpty() && tps.stream().allMatch(tp -> c.position(tp) >= log.lastStableOffset(tp))) {
          return out;
        }
      }
    }
  }
}
