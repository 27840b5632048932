package dev.onceflow.core.runtime;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.IncompatibleCheckpointException;
import dev.onceflow.core.checkpoint.CompletedCheckpoint;
import dev.onceflow.core.checkpoint.GuaranteeCompatibility;
import dev.onceflow.core.checkpoint.JobHistory;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what a job restores from its checkpoint directory, and refuses (with {@link IncompatibleCheckpointException},
 * before any subtask runs, never in part) what it cannot restore without breaking its promise: another guarantee the
 * snapshot or the last run cannot serve ({@link GuaranteeCompatibility}), another pipeline shape, another {@code
 * maxParallelism}, another parallelism with a source or guarantee that cannot rescale, or pending sink transactions
 * that this job's sink could not commit. Pure: reads nothing but its arguments, so every refusal is testable without
 * threads.
 */
final class RestorePlanner {
  private RestorePlanner() {}

  /**
   * Plans a restore.
   *
   * @param dir the checkpoint directory (for messages)
   * @param latest its latest completed checkpoint
   * @param history what ran on it before this job, empty if nothing recorded one
   */
  static RestorePlan plan(JobConfig config, JobGraph graph, Path dir, Optional<CompletedCheckpoint> latest,
      Optional<JobHistory> history) throws IOException {
    checkGuarantee(config, dir, latest, history);
    int checkpointParallelism = 0;
    if (latest.isPresent()) {
      checkpointParallelism = parallelismOf(latest.get());
      checkShape(config, graph, dir, latest.get(), checkpointParallelism);
      checkPendingTransactions(config, graph, dir, latest.get());
    }
    checkCommittedPositions(config, dir);
    JobHistory now = history.orElse(new JobHistory(config.guarantee(), Map.of()));
    java.util.Map<String, Integer> sinkSubtasks = new java.util.TreeMap<>();
    for (JobGraph.SinkInfo s : graph.sinks) {
      String sinkName = s.node().sink().name();
      now = now.started(config.guarantee(), sinkName, config.parallelism());
    }
    if (graph.sinks.isEmpty()) {
      now = now.started(config.guarantee(), null, config.parallelism());
    }
    for (JobGraph.SinkInfo s : graph.sinks) {
      String sinkName = s.node().sink().name();
      sinkSubtasks.put(sinkName, Math.max(now.sinkParallelism(sinkName), checkpointParallelism));
    }
    return new RestorePlan(latest, checkpointParallelism, now, java.util.Map.copyOf(sinkSubtasks));
  }

  /**
   * AT_MOST_ONCE resumes each source subtask at the position it committed, also when no checkpoint completed. Those
   * positions belong to one subtask of one parallelism (its partitions), so once any was committed the job may not
   * run with another parallelism: subtasks would resume at positions of partitions they no longer own and re-read
   * from the start the ones they newly own (found by the verifier's rescale nemesis: 146 payments paid twice after a
   * restart from 2 to 4 subtasks before the first checkpoint). The parallelism of the run that may commit is written
   * to {@code positions/_parallelism} (version byte, int) before its sources start; it changes only while no position
   * is committed. A directory without that file (written before it existed) counts its position files instead.
   */
  static void checkCommittedPositions(JobConfig config, Path dir) throws IOException {
    if (config.guarantee() != Guarantee.AT_MOST_ONCE) {
      return;
    }
    Path positions = dir.resolve("positions");
    Path recordedFile = positions.resolve(PARALLELISM_FILE);
    int files = 0;
    boolean committed = false;
    if (java.nio.file.Files.isDirectory(positions)) {
      try (var list = java.nio.file.Files.list(positions)) {
        for (Path f : (Iterable<Path>) list::iterator) {
          java.util.regex.Matcher m = POSITION_FILE.matcher(f.getFileName().toString());
          if (m.matches()) {
            files = Math.max(files, Integer.parseInt(m.group(1)) + 1);
            committed |= java.nio.file.Files.size(f) > 0;
          }
        }
      }
    }
    int recorded = files;
    if (java.nio.file.Files.exists(recordedFile)) {
      ByteBuffer b = ByteBuffer.wrap(java.nio.file.Files.readAllBytes(recordedFile));
      if (b.remaining() != 5 || b.get() != 1) {
        throw new IncompatibleCheckpointException(dir, recordedFile + " is not a parallelism record of version 1"
            + " (written by a newer Onceflow, or damaged); run the Onceflow that wrote it, or use a new checkpoint"
            + " directory to start over");
      }
      recorded = b.getInt();
    }
    if (committed && recorded != config.parallelism()) {
      throw new IncompatibleCheckpointException(dir, "checkpoint directory " + dir + " holds at-most-once positions"
          + " committed by " + recorded + " source subtasks; job '" + config.name() + "' has parallelism "
          + config.parallelism() + " and cannot be rescaled: AT_MOST_ONCE keeps a committed position per source"
          + " subtask, which does not move. Run with parallelism " + recorded + " to resume, or use a new checkpoint"
          + " directory to start over");
    }
    if (recorded != config.parallelism() || !java.nio.file.Files.exists(recordedFile)) {
      java.nio.file.Files.createDirectories(positions);
      dev.onceflow.core.checkpoint.DurableFiles.writeAtomically(recordedFile,
          ByteBuffer.allocate(5).put((byte) 1).putInt(config.parallelism()).array());
    }
  }

  private static final String PARALLELISM_FILE = "_parallelism";
  private static final java.util.regex.Pattern POSITION_FILE = java.util.regex.Pattern.compile("source-(\\d+)\\.[ab]");

  static int parallelismOf(CompletedCheckpoint c) {
    return (int) c.metadata().tasks().stream().filter(t -> t.startsWith("s0-")).count();
  }

  private static void checkGuarantee(JobConfig config, Path dir, Optional<CompletedCheckpoint> latest,
      Optional<JobHistory> history) {
    Guarantee wanted = config.guarantee();
    String fresh = ", or start fresh under " + wanted + " on a new checkpoint directory (with a new output: what the"
        + " earlier run wrote stays where it is)";
    if (latest.isPresent()) {
      Guarantee taken = latest.get().metadata().guarantee();
      Optional<String> why = GuaranteeCompatibility.whyNot(taken, wanted);
      if (why.isPresent()) {
        throw new IncompatibleCheckpointException(dir, "checkpoint " + latest.get().id() + " in " + dir + " was taken"
            + " under " + (taken == null ? "an unrecorded guarantee" : taken) + "; job '" + config.name() + "' asks"
            + " for " + wanted + ", which it cannot give: " + why.get() + ". Run the job under "
            + (taken == null ? Guarantee.AT_LEAST_ONCE : taken) + " to resume" + fresh);
      }
    }
    if (history.isPresent()) {
      Guarantee last = history.get().lastGuarantee();
      Optional<String> why = GuaranteeCompatibility.whyNot(last, wanted);
      if (why.isPresent()) {
        throw new IncompatibleCheckpointException(dir, "the last job started on checkpoint directory " + dir
            + " ran under " + last + (latest.isEmpty() ? " (it completed no checkpoint)" : "") + "; job '"
            + config.name() + "' asks for " + wanted + ", which that run cannot be continued under: " + why.get()
            + ". Run the job under " + last + " to resume" + fresh);
      }
    }
  }

  /**
   * A checkpoint holds one state file per subtask of each stage. Restored with another parallelism, keyed state moves
   * by key group and the source redistributes its positions (a {@code LogSource} moves whole partitions); what cannot
   * move is refused, with a message that says what to do.
   */
  private static void checkShape(JobConfig config, JobGraph graph, Path dir, CompletedCheckpoint latest,
      int oldParallelism) {
    List<String> recorded = latest.metadata().tasks();
    Set<String> expected = new HashSet<>();
    for (int k = 0; k < graph.stages.size(); k++) {
      for (int i = 0; i < oldParallelism; i++) {
        expected.add(JobExecution.taskKey(k, i));
      }
    }
    String where = "checkpoint " + latest.id() + " in " + dir;
    if (!new HashSet<>(recorded).equals(expected)) {
      long oldStages = recorded.stream().map(t -> t.substring(0, t.indexOf('-'))).distinct().count();
      throw new IncompatibleCheckpointException(dir, where + " was taken by a pipeline of " + oldStages
          + " stage(s); job '" + config.name() + "' has " + graph.stages.size() + ". Restore it with the pipeline"
          + " that took it, or use a new checkpoint directory to start over");
    }
    for (String task : recorded) {
      String was = StageOps.shapeOf(latest.task(task).sections().get(StageOps.SHAPE));
      int stage = Integer.parseInt(task.substring(1, task.indexOf('-'))); // "s<stage>-<subtask>"
      String now = graph.shape(graph.stages.get(stage));
      if (was != null && !was.equals(now)) { // null: written before shapes were recorded
        throw new IncompatibleCheckpointException(dir, where + " was taken by a pipeline whose stage " + stage
            + " had the operators [" + was + "]; job '" + config.name() + "' has [" + now + "] there. State is"
            + " matched to operators by position, so restoring would give an operator another's state, or none."
            + " Restore it with the pipeline that took it, or use a new checkpoint directory to start over");
      }
      for (var section : latest.task(task).sections().entrySet()) {
        if (section.getKey().endsWith(KeyedProcessOp.KEY_GROUPS)) {
          int keyGroups = ByteBuffer.wrap(section.getValue()).getInt();
          if (keyGroups != config.maxParallelism()) {
            throw new IncompatibleCheckpointException(dir, where + " holds keyed state partitioned into " + keyGroups
                + " key groups (maxParallelism " + keyGroups + "); job '" + config.name() + "' has maxParallelism "
                + config.maxParallelism() + ", which would route keys to the wrong state. Set maxParallelism("
                + keyGroups + ") to resume, or use a new checkpoint directory to start over");
          }
        }
      }
    }
    if (oldParallelism == config.parallelism()) {
      return;
    }
    String refused = null;
    if (config.guarantee() == Guarantee.AT_MOST_ONCE) {
      refused = "AT_MOST_ONCE keeps a committed position per source subtask, which does not move";
    } else if (!graph.source.rescalable()) {
      refused = "source '" + graph.source.name() + "' cannot redistribute its positions";
    }
    if (refused != null) {
      throw new IncompatibleCheckpointException(dir, where + " was taken with parallelism " + oldParallelism
          + "; job '" + config.name() + "' has parallelism " + config.parallelism() + " and cannot be rescaled: "
          + refused + ". Run with parallelism " + oldParallelism + " to resume, or use a new checkpoint directory to"
          + " start over");
    }
  }

  /**
   * Pending transactions in the checkpoint are output that only their sink can commit: a job whose sink is not
   * transactional (or sits elsewhere in the pipeline) would drop them, losing output the checkpoint promised.
   */
  private static void checkPendingTransactions(JobConfig config, JobGraph graph, Path dir, CompletedCheckpoint latest)
      throws IOException {
    Set<String> ours = new HashSet<>();
    for (JobGraph.SinkInfo s : graph.sinks) {
      if (s.transactional()) {
        ours.add(JobExecution.taskKeyPrefix(s.stage()) + s.uid() + SinkRecovery.TXNS);
      }
    }
    for (String task : latest.metadata().tasks()) {
      for (var section : latest.task(task).sections().entrySet()) {
        String name = section.getKey();
        String stage = task.substring(0, task.indexOf('-') + 1);
        if (name.endsWith(SinkRecovery.TXNS) && !ours.contains(stage + name)
            && !TwoPhaseCommitSinkOp.decode(section.getValue(), dir + " " + task + " " + name).isEmpty()) {
          throw new IncompatibleCheckpointException(dir, "checkpoint " + latest.id() + " in " + dir + " holds"
              + " prepared transactions of the transactional sink " + name.substring(0, name.length()
              - SinkRecovery.TXNS.length()) + " that may not be committed yet; job '" + config.name() + "' has "
              + (ours.isEmpty() ? "no transactional sink" : "no transactional sink there") + " and would drop"
              + " them (output the checkpoint promised). Resume once with the transactional sink, or use a new"
              + " checkpoint directory to start over");
        }
      }
    }
  }
}
