package dev.onceflow.examples;

import java.util.List;
import java.util.Optional;

/** Every example, in the order {@code ./onceflow example --list} prints them. */
public final class Examples {
  private static final List<Example> ALL = List.of(new DailyTagCounts(), new Ledger(), new Payments(), new Clicks(),
      new SensorMetrics(), new Orders());

  private Examples() {}

  /** Every example. */
  public static List<Example> all() {
    return ALL;
  }

  /** The example called {@code name}, if there is one. */
  public static Optional<Example> byName(String name) {
    return ALL.stream().filter(e -> e.name().equals(name)).findFirst();
  }
}
