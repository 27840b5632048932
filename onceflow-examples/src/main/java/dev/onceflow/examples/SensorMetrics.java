package dev.onceflow.examples;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.WatermarkStrategy;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.window.AggregateFunction;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.log.Log;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-sensor average temperature per minute (the background texts' sensor network: "if one reading is lost, it's
 * acceptable because another will arrive soon; the cost of duplicate processing, e.g. triggering alerts twice, might
 * be worse than missing occasional data points").
 *
 * <p>AT_MOST_ONCE: the cheapest guarantee. The sink writes straight through (no transaction, output visible at once)
 * and the source commits its position before processing, so after a crash some minutes' averages may be missing, but
 * no minute is ever reported twice (an alert rule reading this topic never fires twice for one minute).
 */
public final class SensorMetrics implements Example {
  static final int SENSORS = 8;

  /** A reading: sensor id, time (epoch ms), temperature in tenths of a degree Celsius. */
  record Reading(String sensor, long ts, int decicelsius) implements Serializable {
    static Reading parse(byte[] bytes) {
      String[] f = new String(bytes, StandardCharsets.UTF_8).split(",");
      return new Reading(f[0], Long.parseLong(f[1]), Integer.parseInt(f[2]));
    }
  }

  /** Sum and count: the accumulator of an average (immutable: state values are copied shallowly). */
  record Sum(long total, long count) implements Serializable {}

  /** The average of the readings of a window, in tenths of a degree. */
  static final class Average implements AggregateFunction<Reading, Sum, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Sum createAccumulator() {
      return new Sum(0, 0);
    }

    @Override
    public Sum add(Reading r, Sum s) {
      return new Sum(s.total() + r.decicelsius(), s.count() + 1);
    }

    @Override
    public Double getResult(Sum s) {
      return s.total() / (10.0 * s.count());
    }

    @Override
    public Sum merge(Sum a, Sum b) {
      return new Sum(a.total() + b.total(), a.count() + b.count());
    }
  }

  @Override
  public Pipeline pipeline(Log log, Path checkpointDir) {
    return Onceflow.pipeline("sensor-metrics")
        .guarantee(Guarantee.AT_MOST_ONCE)
        .parallelism(2)
        .checkpointInterval(Duration.ofSeconds(1))
        .checkpointDir(checkpointDir)
        .source(LogSource.of(log, inputTopic(), Reading::parse).bounded(),
            WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(5)))
        .keyBy(Reading::sensor)
        .window(WindowAssigner.tumbling(Duration.ofMinutes(1)))
        .aggregate(new Average())
        .map(w -> Instant.ofEpochMilli(w.start()) + " " + w.key() + " " + String.format(java.util.Locale.ROOT, "%.2f", w.value()))
        .sinkTo(LogSink.plain(log, outputTopic(), Encoder.utf8String()));
  }

  /** Reading i: sensor {@code s-(i mod 8)} at EPOCH + (i / 8) seconds, (200 + (i*37 mod 61)) tenths of a degree. */
  @Override
  public List<InputRecord> input(long events) {
    List<InputRecord> out = new ArrayList<>();
    for (long i = 0; i < events; i++) {
      long ts = EPOCH + (i / SENSORS) * 1000;
      out.add(new InputRecord("s-" + (i % SENSORS) + "," + ts + "," + decicelsius(i), ts));
    }
    return out;
  }

  static int decicelsius(long i) {
    return (int) (200 + (i * 37) % 61);
  }

  @Override
  public String name() {
    return "sensors";
  }

  @Override
  public String summary() {
    return "average temperature per sensor per minute; AT_MOST_ONCE (a lost reading is fine, an alert twice is not)";
  }

  @Override
  public Guarantee guarantee() {
    return Guarantee.AT_MOST_ONCE;
  }

  @Override
  public String inputTopic() {
    return "sensor-readings";
  }

  @Override
  public String outputTopic() {
    return "sensor-minute-averages";
  }
}
