package dev.onceflow.cli;

import dev.onceflow.core.Collector;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.connector.Decoder;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ValueState;
import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.FsyncPolicy;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogConfig;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A log-to-log job beside its limit, on one embedded log with every-append durability (each append fsync'd):
 * <ol>
 *   <li><b>raw</b>: N records ("id,tag", tag-count's tags) appended durably into topic {@code in}, one idempotent
 *       producer per partition, batches of {@link #BATCH} — the fastest the log takes these records durably;
 *   <li><b>pipeline</b>: {@code LogSource(in)} → keyBy tag → keyed count ({@code ValueState<Long>}, one updated
 *       "tag,count" per record) → {@code LogSink.transactional(out)}, under the given guarantee; timed from start to
 *       finished (every transaction committed), then checked: per tag the highest committed count, summed over the
 *       tags, is N (under EXACTLY_ONCE also no count twice).
 * </ol>
 * The pipeline writes as many records durably as the raw appends (plus transaction markers and fsyncs of prepare and
 * commit), so pipeline / raw is the share of the log's durable append throughput the engine keeps.
 */
final class PipelineBenchmark {
  static final int BATCH = 500;
  static final long TAGS = 1000;

  private PipelineBenchmark() {}

  /** One run: raw append and pipeline seconds and rates. */
  record Result(long events, double rawSeconds, double pipelineSeconds, long checkpoints) {
    double rawPerSec() {
      return events / rawSeconds;
    }

    double pipelinePerSec() {
      return events / pipelineSeconds;
    }
  }

  static long tag(long i) {
    return Math.floorMod(i * 2654435761L, TAGS);
  }

  /** Counts per tag; emits "tag,count" for every record. */
  static final class CountPerTag extends KeyedProcessFunction<Long, long[], String> {
    private static final long serialVersionUID = 1L;
    private transient ValueState<Long> count;

    @Override
    public void open(KeyedStateStore store) {
      count = store.valueState("count", Serializers.LONG);
    }

    @Override
    public void processElement(long[] post, Context<Long> ctx, Collector<String> out) {
      Long c = count.value();
      long n = c == null ? 1 : c + 1;
      count.update(n);
      out.collect(ctx.currentKey() + "," + n);
    }
  }

  static Result run(long events, int parallelism, int partitions, Guarantee guarantee, long checkpointIntervalMs,
      Path root) throws Exception {
    try (Log log = Log.open(root.resolve("log"),
        LogConfig.builder().fsyncPolicy(FsyncPolicy.EVERY_APPEND).build())) {
      log.createTopic("in", TopicConfig.partitions(partitions));
      log.createTopic("out", TopicConfig.partitions(partitions));
      double raw = append(log, events, partitions);

      Decoder<long[]> decoder = b -> {
        String s = new String(b, StandardCharsets.US_ASCII);
        int comma = s.indexOf(',');
        return new long[] {Long.parseLong(s, 0, comma, 10), Long.parseLong(s, comma + 1, s.length(), 10)};
      };
      AtomicLong checkpoints = new AtomicLong();
      long t0 = System.nanoTime();
      JobHandle job = Onceflow.pipeline("bench-pipeline")
          .guarantee(guarantee)
          .parallelism(parallelism)
          .checkpointInterval(Duration.ofMillis(checkpointIntervalMs))
          .checkpointDir(root.resolve("ckpt"))
          .listener(new JobListener() {
            @Override
            public void onCheckpointCompleted(long id) {
              checkpoints.incrementAndGet();
            }
          })
          .source(LogSource.of(log, "in", decoder).bounded())
          .keyBy(p -> p[1])
          .process(new CountPerTag())
          .sinkTo(LogSink.transactional(log, "out", Encoder.<String>utf8String()))
          .start();
      job.join();
      double seconds = (System.nanoTime() - t0) / 1e9;
      check(log, events, partitions, guarantee);
      return new Result(events, raw, seconds, checkpoints.get());
    }
  }

  /** Seconds to append the N input records durably, one producer thread per partition. */
  private static double append(Log log, long events, int partitions) throws Exception {
    CyclicBarrier start = new CyclicBarrier(partitions + 1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      int partition = p;
      Thread t = new Thread(() -> {
        TopicPartition tp = new TopicPartition("in", partition);
        List<ProducerRecord> batch = new ArrayList<>(BATCH);
        try (Producer producer = log.idempotentProducer()) {
          start.await();
          for (long i = partition; i < events; i += partitions) {
            batch.add(new ProducerRecord(null, (i + "," + tag(i)).getBytes(StandardCharsets.US_ASCII), 0, null));
            if (batch.size() == BATCH) {
              producer.sendBatch(tp, batch);
              batch.clear();
            }
          }
          if (!batch.isEmpty()) {
            producer.sendBatch(tp, batch);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "bench-pipeline-append-" + p);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    start.await();
    long t0 = System.nanoTime();
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException("appending the benchmark input failed: " + failure.get(), failure.get());
    }
    return seconds;
  }

  /** Per tag the highest committed count; they must add up to N (EXACTLY_ONCE: and no count output twice). */
  private static void check(Log log, long events, int partitions, Guarantee guarantee) {
    Map<Long, Long> highest = new HashMap<>();
    long seen = 0;
    try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        parts.add(new TopicPartition("out", p));
      }
      c.assign(parts);
      for (List<LogRecord> got = c.poll(10_000); !got.isEmpty(); got = c.poll(10_000)) {
        for (LogRecord r : got) {
          String s = new String(r.value(), StandardCharsets.US_ASCII);
          int comma = s.indexOf(',');
          highest.merge(Long.parseLong(s, 0, comma, 10), Long.parseLong(s, comma + 1, s.length(), 10), Math::max);
          seen++;
        }
      }
    }
    long total = highest.values().stream().mapToLong(Long::longValue).sum();
    if (total != events || (guarantee == Guarantee.EXACTLY_ONCE && seen != events)) {
      throw new IllegalStateException("bench pipeline: the committed output holds " + seen + " counts whose highest"
          + " per tag add up to " + total + ", expected " + events + " (" + guarantee + ")");
    }
  }
}
