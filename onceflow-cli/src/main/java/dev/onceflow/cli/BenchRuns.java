package dev.onceflow.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * The statistics and the machine a benchmark reports with its numbers: the lower median of the measured runs (an
 * actual run, not an average), the spread (min, max, (max - min) / median), the JVM, the cores and the load average
 * before and after the runs (the machine may be shared: a number without its load says little).
 */
final class BenchRuns {
  private final double[] values;

  BenchRuns(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no runs");
    }
    this.values = values.clone();
  }

  /** Index (into the values as given) of the run with the lower median value. */
  int medianIndex() {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double median = sorted[(sorted.length - 1) / 2];
    for (int i = 0; i < values.length; i++) {
      if (values[i] == median) {
        return i;
      }
    }
    throw new IllegalStateException("unreachable");
  }

  double median() {
    return values[medianIndex()];
  }

  double min() {
    return Arrays.stream(values).min().orElseThrow();
  }

  double max() {
    return Arrays.stream(values).max().orElseThrow();
  }

  /** (max - min) / median, in percent. */
  double spreadPercent() {
    return (max() - min()) / median() * 100;
  }

  /** Adds {@code <name>_runs}, {@code <name>_min}, {@code _max}, {@code _spread_pct}. */
  void putJson(ObjectNode o, String name) {
    ArrayNode all = o.putArray(name + "_runs");
    for (double v : values) {
      all.add(v);
    }
    o.put(name + "_min", min());
    o.put(name + "_max", max());
    o.put(name + "_spread_pct", spreadPercent());
  }

  /** "median 12.3 M (3 runs: 11.9 .. 12.8 M, spread 7.3 %)" in millions. */
  String describeMillions() {
    if (values.length == 1) {
      return String.format(Locale.ROOT, "%.2f M", median() / 1e6);
    }
    return String.format(Locale.ROOT, "median %.2f M (%d runs: %.2f .. %.2f M, spread %.1f %%)", median() / 1e6,
        values.length, min() / 1e6, max() / 1e6, spreadPercent());
  }

  /**
   * Time the JIT compiler threads spent compiling so far, in ms, or -1 where the JVM does not say: a run during
   * which it grows by much measured the compiler beside the job.
   */
  static long jitMillis() {
    java.lang.management.CompilationMXBean c = ManagementFactory.getCompilationMXBean();
    return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : -1;
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  static String jvm() {
    return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
  }

  /** Adds {@code jvm}, {@code cores}, {@code load_average_before}, {@code load_average_after} (now). */
  static void putEnvironment(ObjectNode o, double loadBefore) {
    o.put("jvm", jvm());
    o.put("cores", Runtime.getRuntime().availableProcessors());
    o.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    o.put("load_average_before", loadBefore);
    o.put("load_average_after", loadAverage());
  }

  static String describeEnvironment(double loadBefore) {
    return String.format(Locale.ROOT, "%s, %d cores, load average %.2f before, %.2f after", jvm(),
        Runtime.getRuntime().availableProcessors(), loadBefore, loadAverage());
  }
}
