package dev.onceflow.core.bench;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.WatermarkStrategy;
import dev.onceflow.core.checkpoint.DurableFiles;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.core.window.WindowResult;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The "tag-count" benchmark job: N generated posts, post i = (id i, tag (i * 2654435761) mod 1000), event time i/10
 * ms; monotonous watermarks; keyBy tag; 60 s tumbling event-time windows; count; a discarding transactional sink
 * that adds up the committed counts and checks they total N.
 */
public final class TagCountBenchmark {
  private TagCountBenchmark() {}

  /** A generated post. */
  public record Post(long id, long tag) {}

  /**
   * The measured run.
   *
   * @param events N
   * @param parallelism subtasks per stage
   * @param guarantee guarantee
   * @param checkpointIntervalMs 0 = none
   * @param seconds wall time from start to finished
   * @param eventsPerSec N / seconds
   * @param checkpointsCompleted checkpoints completed (including the final one)
   * @param cpuNanosPerEvent CPU time of the whole JVM (every thread: tasks, checkpoint I/O, GC, JIT) during the run,
   *     per event: unlike events/s it hardly moves when other processes share the cores
   */
  public record Result(
      long events,
      int parallelism,
      Guarantee guarantee,
      long checkpointIntervalMs,
      double seconds,
      double eventsPerSec,
      long checkpointsCompleted,
      double cpuNanosPerEvent) {}

  /**
   * Runs the job once.
   *
   * @throws IllegalStateException if the committed counts do not add up to N
   */
  public static Result run(long events, int parallelism, Guarantee guarantee, long checkpointIntervalMs)
      throws Exception {
    return run(events, parallelism, guarantee, checkpointIntervalMs, Pipeline.DEFAULT_AT_MOST_ONCE_READ_AHEAD);
  }

  /**
   * Runs the job once with the given AT_MOST_ONCE read-ahead ({@link Pipeline#atMostOnceReadAhead}).
   *
   * @throws IllegalStateException if the committed counts do not add up to N
   */
  public static Result run(long events, int parallelism, Guarantee guarantee, long checkpointIntervalMs,
      int atMostOnceReadAhead) throws Exception {
    return run("tag-count", events, parallelism, guarantee, checkpointIntervalMs, atMostOnceReadAhead);
  }

  /**
   * Runs the job once under the pipeline name {@code name} (what its meters are tagged with).
   *
   * @throws IllegalStateException if the committed counts do not add up to N
   */
  public static Result run(String name, long events, int parallelism, Guarantee guarantee, long checkpointIntervalMs,
      int atMostOnceReadAhead) throws Exception {
    Path dir = Files.createTempDirectory("onceflow-bench-ckpt");
    CountingSink sink = new CountingSink();
    AtomicLong checkpoints = new AtomicLong();
    try {
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      JobHandle job = Onceflow.pipeline(name)
          .guarantee(guarantee)
          .parallelism(parallelism)
          .batchSize(1024)
          .atMostOnceReadAhead(atMostOnceReadAhead)
          .checkpointInterval(Duration.ofMillis(checkpointIntervalMs))
          .checkpointDir(dir)
          .listener(new JobListener() {
            @Override
            public void onCheckpointCompleted(long id) {
              checkpoints.incrementAndGet();
            }
          })
          .source(GeneratorSource.of(events, i -> new Post(i, Math.floorMod(i * 2654435761L, 1000L)))
                  .withTimestamps(i -> i / 10),
              WatermarkStrategy.monotonous())
          .keyBy(Post::tag)
          .window(WindowAssigner.tumbling(Duration.ofSeconds(60)))
          .count()
          .sinkTo(sink)
          .start();
      job.join();
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpuPerEvent = cpu0 < 0 ? Double.NaN : (double) (processCpuNanos() - cpu0) / events;
      if (sink.total.get() != events) {
        throw new IllegalStateException(
            "tag-count committed a total of " + sink.total.get() + " counts, expected " + events);
      }
      return new Result(events, parallelism, guarantee, checkpointIntervalMs, seconds, events / seconds,
          checkpoints.get(), cpuPerEvent);
    } finally {
      DurableFiles.deleteTree(dir);
    }
  }

  /** CPU time of this JVM in ns, or -1 where the platform does not say. */
  static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** Discards window results but adds their counts up on commit (2PC, idempotent per token). */
  static final class CountingSink implements TwoPhaseCommitSink<WindowResult<Long, Long>> {
    final AtomicLong total = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    private final Set<Long> committed = ConcurrentHashMap.newKeySet();

    @Override
    public String name() {
      return "discard";
    }

    @Override
    public TwoPhaseCommitWriter<WindowResult<Long, Long>> createWriter(SinkContext context) {
      return new TwoPhaseCommitWriter<>() {
        private long sum;

        @Override
        public void beginTransaction() {
          sum = 0;
        }

        @Override
        public void write(WindowResult<Long, Long> r) {
          sum += r.value();
        }

        @Override
        public byte[] preCommit(long checkpointId) {
          return ByteBuffer.allocate(16).putLong(ids.incrementAndGet()).putLong(sum).array();
        }

        @Override
        public void abort() {
          sum = 0;
        }
      };
    }

    @Override
    public void commit(byte[] token) {
      ByteBuffer b = ByteBuffer.wrap(token);
      if (committed.add(b.getLong())) {
        total.addAndGet(b.getLong());
      }
    }

    @Override
    public void abortLingering(SinkContext context, List<byte[]> recordedTokens) {}
  }
}
