package dev.onceflow.examples;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Pipeline;
import dev.onceflow.log.Log;
import java.nio.file.Path;
import java.util.List;

/**
 * A runnable example: a deterministic input, a pipeline reading it from the embedded log, and the output topic it
 * writes. The pipeline is the part to copy; the input generator only stands in for the real world.
 */
public interface Example {
  /** 2026-01-01T00:00:00Z: the examples' event-time origin. */
  long EPOCH = 1767225600000L;

  /** The name on the command line ({@code ./onceflow example NAME}). */
  String name();

  /** One line: the scenario and the guarantee it asks for. */
  String summary();

  /** The guarantee the pipeline asks for. */
  Guarantee guarantee();

  /** The topic the input is written to. */
  String inputTopic();

  /** The topic the pipeline writes. */
  String outputTopic();

  /**
   * Every topic the pipeline writes, {@link #outputTopic()} first (an example with several sinks lists them all; the
   * runner creates each one and prints each one).
   */
  default List<String> outputTopics() {
    return List.of(outputTopic());
  }

  /** Those of {@link #outputTopics()} that are read as a table (the last value per key). */
  default List<String> tableTopics() {
    return outputIsTable() ? List.of(outputTopic()) : List.of();
  }

  /**
   * Whether the output is read as a table (the last value per key, for an upsert sink) rather than as a list of
   * records.
   */
  default boolean outputIsTable() {
    return false;
  }

  /** The number of input events when none is given. */
  default long defaultEvents() {
    return 5_000;
  }

  /** The input: {@code events} records in input order, the same for the same {@code events}. */
  List<InputRecord> input(long events);

  /**
   * The pipeline, reading {@link #inputTopic()} of {@code log} to its end and writing {@link #outputTopic()}, with
   * its checkpoints in {@code checkpointDir} (a second run on the same directories resumes, or finds the job
   * finished and writes nothing more).
   */
  Pipeline pipeline(Log log, Path checkpointDir);
}
