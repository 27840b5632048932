package dev.onceflow.verify;

import java.util.List;
import java.util.Map;

/**
 * The verifier's side of where a job's output is committed (the children write it through {@link ChildIo#sinks}). It
 * reads only what is committed, the way a downstream reader would, and never asks the engine anything.
 */
public interface OutputStore extends AutoCloseable {
  /** Creates the output of {@code job} (topic, table) before the first child runs. */
  void create(Job job, int partitions);

  /** The settings the children need to write the output (merged into the {@code io.*} child arguments). */
  Map<String, String> childSettings();

  /**
   * After the last child exited: everything committed, in the order the {@link Checker} expects (per output partition
   * in offset order; a table as one record per row, keyed by its primary key).
   */
  List<OutputRecord> readCommitted(Job job);

  /**
   * After the last child exited: the transactions of this verification left prepared and undecided (must be 0 under
   * exactly-once: an undecided transaction hides committed-to-be output from every reader).
   */
  int lingeringTransactions();

  @Override
  default void close() {}
}
