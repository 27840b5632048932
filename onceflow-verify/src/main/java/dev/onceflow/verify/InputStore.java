package dev.onceflow.verify;

import java.util.List;
import java.util.Map;

/**
 * The verifier's side of where a job's input lives (the children read it through {@link ChildIo#sources}). Opened for
 * one verification and closed after its check; a store that started a server stops it on close.
 */
public interface InputStore extends AutoCloseable {
  /**
   * Creates the input topic of {@code job} with {@code partitions} partitions and writes {@code input} durably, event
   * at position i to partition {@code layout.partitionOf(i, partitions)}, with the event's timestamp.
   *
   * @param retention whether the input is written with the small retention that the retention nemesis needs (a store
   *     that cannot run retention refuses it with an {@link IllegalArgumentException})
   */
  void write(Job job, int partitions, InputLayout layout, boolean retention, List<InputEvent> input);

  /** The settings the children need to read the input (merged into the {@code io.*} child arguments). */
  Map<String, String> childSettings();

  @Override
  default void close() {}
}
