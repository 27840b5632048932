package dev.onceflow.examples;

import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an {@link Example} on the embedded log in a directory: {@code <dir>/log} (input and output topics, two
 * partitions each) and {@code <dir>/checkpoints}. The input is written once (a directory whose input topic exists is
 * reused, so a second run resumes or finds the job finished), the pipeline runs to the end of its bounded input, and
 * the committed output is read back the way any read-committed consumer would see it.
 */
public final class ExampleRunner {
  /** Partitions of the input and output topics. */
  public static final int PARTITIONS = 2;

  private ExampleRunner() {}

  /**
   * What a run left behind.
   *
   * @param example the example
   * @param logDir the log holding the input and output topics
   * @param inputRecords records in the input topic
   * @param inputWritten whether this run wrote the input (false: the directory already had it)
   * @param output committed output values in the order a read-committed consumer polled them (each partition in
   *     offset order); for a table, the last value of
   *     each key
   * @param table for a table (upsert) output, the last value per key; empty otherwise
   * @param seconds wall time of the pipeline run
   * @param others the committed output of every other topic of {@link Example#outputTopics()}, by topic, as
   *     {@code output} (a table topic: the last value per key)
   * @param location where the output is, for a person (a topic of the log, of Kafka, a table)
   */
  public record Run(Example example, Path logDir, long inputRecords, boolean inputWritten, List<String> output,
      Map<String, String> table, double seconds, Map<String, List<String>> others, String location) {}

  /**
   * Runs {@code example} with {@code events} input events in {@code dir}.
   *
   * @throws InterruptedException if interrupted while the job runs
   */
  public static Run run(Example example, Path dir, long events) throws InterruptedException {
    Path logDir = dir.resolve("log");
    try (Log log = Log.open(logDir)) {
      boolean written = writeInputOnce(log, example, events);
      long start = System.nanoTime();
      example.pipeline(log, dir.resolve("checkpoints")).execute();
      double seconds = (System.nanoTime() - start) / 1e9;
      long inputRecords = 0;
      for (int p = 0; p < log.partitions(example.inputTopic()); p++) {
        inputRecords += log.endOffset(new TopicPartition(example.inputTopic(), p));
      }
      Map<String, String> table = new LinkedHashMap<>();
      List<String> values = read(log, example, example.outputTopic(), table);
      Map<String, List<String>> others = new LinkedHashMap<>();
      for (String topic : example.outputTopics().subList(1, example.outputTopics().size())) {
        others.put(topic, read(log, example, topic, new LinkedHashMap<>()));
      }
      return new Run(example, logDir, inputRecords, written, values, table, seconds, others, "topic '"
          + example.outputTopic() + "' of the log in " + logDir + " (./onceflow log dump --dir " + logDir + " --topic "
          + example.outputTopic() + ")");
    }
  }

  /**
   * Creates the example's topics and writes its input, unless the input topic exists (a second run on the same
   * directory); whether it wrote.
   */
  static boolean writeInputOnce(Log log, Example example, long events) {
    if (log.topicExists(example.inputTopic())) {
      return false;
    }
    for (String topic : example.outputTopics()) {
      log.createTopic(topic, TopicConfig.partitions(PARTITIONS));
    }
    writeInput(log, example.inputTopic(), example.input(events));
    return true;
  }

  /** The committed values of {@code topic}; of a table topic the last value per key (also put into {@code table}). */
  private static List<String> read(Log log, Example example, String topic, Map<String, String> table) {
    boolean isTable = example.tableTopics().contains(topic);
    List<String> values = new ArrayList<>();
    for (LogRecord r : readCommitted(log, topic)) {
      String value = new String(r.value(), StandardCharsets.UTF_8);
      if (isTable) {
        table.put(new String(r.key(), StandardCharsets.UTF_8), value);
      } else {
        values.add(value);
      }
    }
    if (isTable) {
      values.addAll(table.values());
    }
    return values;
  }

  /** Prints the first {@code lines} output lines of {@code run} and where the rest is. */
  public static void print(Run run, int lines, PrintWriter out) {
    Example e = run.example();
    out.printf("%s (%s): %d input records %s, %s in %.1f s%n", e.name(), e.guarantee(), run.inputRecords(),
        run.inputWritten() ? "written" : "already there (resumed on the same directory)",
        e.outputIsTable() ? run.table().size() + " table rows" : run.output().size() + " output records",
        run.seconds());
    run.output().stream().limit(lines).forEach(l -> out.println("  " + l));
    if (run.output().size() > lines) {
      out.printf("  ... %d more%n", run.output().size() - lines);
    }
    out.printf("output: %s%n", run.location());
    run.others().forEach((topic, values) -> {
      boolean table = e.tableTopics().contains(topic);
      out.printf("and topic '%s': %d %s%n", topic, values.size(), table ? "table rows (last value per key)"
          : "output records");
      values.stream().limit(lines).forEach(l -> out.println("  " + l));
      if (values.size() > lines) {
        out.printf("  ... %d more%n", values.size() - lines);
      }
    });
    out.flush();
  }

  /**
   * Writes the input durably, with an idempotent producer: a keyed record to the partition of its key, the others
   * round-robin over the partitions.
   */
  private static void writeInput(Log log, String topic, List<InputRecord> input) {
    log.createTopic(topic, TopicConfig.partitions(PARTITIONS));
    List<List<ProducerRecord>> batches = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      batches.add(new ArrayList<>());
    }
    for (int i = 0; i < input.size(); i++) {
      InputRecord r = input.get(i);
      int p = r.key() == null ? i % PARTITIONS : Math.floorMod(r.key().hashCode(), PARTITIONS);
      batches.get(p).add(new ProducerRecord(r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
          r.value().getBytes(StandardCharsets.UTF_8), r.timestamp(), null));
    }
    try (Producer producer = log.idempotentProducer()) {
      for (int p = 0; p < PARTITIONS; p++) {
        if (!batches.get(p).isEmpty()) {
          producer.sendBatch(new TopicPartition(topic, p), batches.get(p));
        }
      }
    }
  }

  /** Every committed record of {@code topic}, per partition in offset order, up to the last stable offsets. */
  private static List<LogRecord> readCommitted(Log log, String topic) {
    List<LogRecord> out = new ArrayList<>();
    try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < log.partitions(topic); p++) {
        tps.add(new TopicPartition(topic, p));
      }
      c.assign(tps);
      tps.forEach(c::seekToBeginning);
      while (true) {
        List<LogRecord> batch = c.poll(10_000);
        out.addAll(batch);
        if (batch.isEmpty() && tps.stream().allMatch(tp -> c.position(tp) >= log.lastStableOffset(tp))) {
          break;
        }
      }
    }
    return out;
  }
}
