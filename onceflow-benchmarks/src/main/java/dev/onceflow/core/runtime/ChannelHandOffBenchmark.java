package dev.onceflow.core.runtime;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Records handed from one thread to another through the runtime's {@link InputGate} in {@link RecordBatch}es, as
 * between two subtasks of a job: a producer thread (started in setup) fills a fresh batch of {@code batchSize}
 * records (records, keys and timestamps arrays, as a sender does) and {@code put}s it into channel 0; the measured
 * thread is the consumer, which {@code take}s batches and reads every record, key and timestamp. The score is records
 * per second through the channel (one operation = one record; an invocation takes {@value #RECORDS_PER_INVOCATION}
 * records), so it is the rate of the slower side, lock hand-off and wake-ups included.
 *
 * <p>Channel capacity 8 batches and one channel, as {@code Pipeline}'s defaults for a forward edge; the gate's lock is
 * taken once per batch, so batch size 1 shows the per-hand-off cost and 512 (the default) the per-record one.
 *
 * <p>Package-private engine classes: this class lives in their package and runs on the class path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Threads(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ChannelHandOffBenchmark {
  static final int RECORDS_PER_INVOCATION = 4096;
  static final int CHANNEL_CAPACITY = 8;

  /** Records per batch; each divides {@value #RECORDS_PER_INVOCATION}. */
  @Param({"1", "64", "512"})
  public int batchSize;

  private InputGate gate;
  private CancelFlag cancel;
  private Thread producer;
  private volatile Throwable producerFailure;
  private final boolean[] blocked = new boolean[1];

  @Setup(Level.Trial)
  public void startProducer() {
    if (RECORDS_PER_INVOCATION % batchSize != 0) {
      throw new IllegalArgumentException("batchSize must divide " + RECORDS_PER_INVOCATION + ", was " + batchSize);
    }
    gate = new InputGate(1, CHANNEL_CAPACITY);
    cancel = new CancelFlag();
    // Records and keys are preallocated objects (the hand-off, not boxing, is what is measured); the arrays of each
    // batch are fresh, because a sent batch belongs to the receiver.
    Long[] values = new Long[4096];
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) i;
    }
    int size = batchSize;
    producer = new Thread(() -> {
      long ts = 0;
      int next = 0;
      try {
        while (!cancel.isCancelled()) {
          Object[] records = new Object[size];
          Object[] keys = new Object[size];
          long[] timestamps = new long[size];
          for (int i = 0; i < size; i++) {
            Long v = values[next];
            next = (next + 1) & (values.length - 1);
            records[i] = v;
            keys[i] = v;
            timestamps[i] = ts++;
          }
          gate.put(0, new RecordBatch(records, keys, timestamps, size), cancel);
        }
      } catch (TaskCancelledException e) {
        // the trial is over
      } catch (Throwable t) {
        producerFailure = t;
        cancel.cancel(); // the consumer's take then fails instead of waiting forever
      }
    }, "handoff-producer");
    producer.setDaemon(true);
    producer.start();
  }

  @TearDown(Level.Trial)
  public void stopProducer() throws InterruptedException {
    cancel.cancel();
    producer.join(TimeUnit.SECONDS.toMillis(10));
    if (producer.isAlive()) {
      throw new IllegalStateException("the producer thread did not stop within 10 s of its cancellation");
    }
    if (producerFailure != null) {
      throw new IllegalStateException("the producer thread failed", producerFailure);
    }
  }

  /** Takes {@value #RECORDS_PER_INVOCATION} records in batches and reads each record, key and timestamp. */
  @Benchmark
  @OperationsPerInvocation(RECORDS_PER_INVOCATION)
  public void handOff(Blackhole bh) throws InterruptedException {
    int taken = 0;
    while (taken < RECORDS_PER_INVOCATION) {
      StreamElement e = gate.take(blocked, cancel);
      RecordBatch b = (RecordBatch) e;
      Object[] records = b.records();
      Object[] keys = b.keys();
      long[] timestamps = b.timestamps();
      for (int i = 0; i < b.size(); i++) {
        bh.consume(records[i]);
        bh.consume(keys[i]);
        bh.consume(timestamps[i]);
      }
      taken += b.size();
    }
  }
}
