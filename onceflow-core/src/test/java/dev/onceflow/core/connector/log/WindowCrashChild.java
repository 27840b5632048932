package dev.onceflow.core.connector.log;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.WatermarkStrategy;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.source.ForwardingSource;
import dev.onceflow.core.source.ForwardingSourceReader;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.log.Log;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of {@link WindowCrashTest}: an AT_MOST_ONCE event-time window count, log to log, parallelism 2 over 3
 * partitions. Subtask 1 (partition 1) reads at full speed and ends early, printing "ENDED"; subtask 0 (partitions 0
 * and 2) is paced, so windows keep firing ("FIRED key@start") for a while after; "CKPT id" on each checkpoint.
 */
public final class WindowCrashChild {
  public static final long KEYS = 5;

  public static void main(String[] args) throws Exception {
    Path logDir = Path.of(args[0]);
    Path ckptDir = Path.of(args[1]);
    try (Log log = Log.open(logDir)) {
      var source = new ForwardingSource<>(
          LogSource.of(log, "events", b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))).bounded()) {
        @Override
        public SourceReader<Long> createReader(SourceContext context) throws Exception {
          SourceReader<Long> r = super.createReader(context);
          boolean paced = context.subtask() == 0;
          return new ForwardingSourceReader<>(r) {
            @Override
            public ReadStatus poll(SourceOutput<Long> output, int maxRecords) throws Exception {
              if (paced) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // pacing, not synchronisation
              }
              ReadStatus s = r.poll(output, maxRecords);
              if (!paced && s == ReadStatus.END_OF_INPUT) {
                System.out.println("ENDED");
              }
              return s;
            }
          };
        }
      };
      JobHandle job = Onceflow.pipeline("window-crash")
          .guarantee(Guarantee.AT_MOST_ONCE)
          .parallelism(2)
          .batchSize(32)
          .checkpointInterval(Duration.ofMillis(30))
          .checkpointDir(ckptDir)
          .restartStrategy(RestartStrategy.noRestart())
          .listener(new JobListener() {
            @Override
            public void onCheckpointCompleted(long id) {
              System.out.println("CKPT " + id);
            }
          })
          .source(source, WatermarkStrategy.monotonous())
          .keyBy(i -> i % KEYS)
          .window(WindowAssigner.tumbling(Duration.ofMillis(100)))
          .count()
          .map(w -> {
            String s = w.key() + "@" + w.start();
            System.out.println("FIRED " + s);
            return s + ":" + w.value();
          })
          .sinkTo(LogSink.plain(log, "counts", Encoder.<String>utf8String()))
          .start();
      job.join();
      System.out.println("FINISHED");
    }
    System.exit(0);
  }
}
