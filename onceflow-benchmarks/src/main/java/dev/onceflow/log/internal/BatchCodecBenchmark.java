package dev.onceflow.log.internal;

import dev.onceflow.log.Headers;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.ProducerRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The log's record-batch codec ({@link BatchCodec}, the on-disk format): one operation is one batch of {@code records}
 * records with a 100-byte value each (no key, no headers, as the engine's sinks write), so records/s = ops/s ×
 * records.
 *
 * <ul>
 *   <li>{@code encode}: what a producer's append does to a batch before the write: lay out header and records
 *       ({@code BatchCodec.encode}), then fill in offset, producer fields and the CRC32C ({@code seal}).
 *   <li>{@code decode}: what a consumer's read does: validate length, magic and CRC32C, then copy every record out
 *       into a {@link LogRecord}.
 * </ul>
 *
 * It lives in the codec's package because the codec is internal to onceflow-log (package-private); it runs on the
 * class path, where a package may span jars.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BatchCodecBenchmark {
  static final int VALUE_BYTES = 100;

  /** Records per batch: a small producer batch, and the engine's default batch of 512. */
  @Param({"16", "512"})
  public int records;

  private List<ProducerRecord> batch;
  private ByteBuffer encoded;
  private List<LogRecord> out;

  @Setup
  public void setUp() {
    Random random = new Random(42);
    batch = new ArrayList<>(records);
    long ts = 1_700_000_000_000L;
    for (int i = 0; i < records; i++) {
      byte[] value = new byte[VALUE_BYTES];
      random.nextBytes(value);
      batch.add(new ProducerRecord(null, value, ts + i, Headers.empty()));
    }
    encoded = BatchCodec.encode(batch);
    BatchCodec.seal(encoded, 1_000L, 7L, (short) 0, 0, (short) 0);
    String invalid = BatchCodec.validate(encoded, 0, encoded.limit());
    if (invalid != null) {
      throw new IllegalStateException("the benchmark's own batch does not validate: " + invalid);
    }
    out = new ArrayList<>(records);
  }

  /** Encode and seal (CRC32C) one batch. */
  @Benchmark
  public ByteBuffer encode() {
    ByteBuffer b = BatchCodec.encode(batch);
    BatchCodec.seal(b, 1_000L, 7L, (short) 0, 0, (short) 0);
    return b;
  }

  /** Validate (CRC32C) and decode one batch into records. */
  @Benchmark
  public void decode(Blackhole bh) {
    String invalid = BatchCodec.validate(encoded, 0, encoded.limit());
    if (invalid != null) {
      throw new IllegalStateException(invalid);
    }
    out.clear();
    int n = BatchCodec.decode(encoded, 0, "bench", 0, 0, Long.MAX_VALUE, Integer.MAX_VALUE, out);
    bh.consume(n);
    bh.consume(out);
  }
}
