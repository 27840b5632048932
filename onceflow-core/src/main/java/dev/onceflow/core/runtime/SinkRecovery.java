package dev.onceflow.core.runtime;

import dev.onceflow.core.checkpoint.CompletedCheckpoint;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a transactional sink's transactions before any writer of an attempt exists: commits every token the
 * restored checkpoint recorded (again: commits are idempotent), then has the sink abort everything else of each
 * subtask index. The indexes are every one any job on the checkpoint directory ever started the sink with ({@link
 * RestorePlan#sinkSubtasks()}), not only this job's or the checkpoint's: a job that ran with more subtasks and died
 * before any checkpoint recorded them left prepared transactions under indexes nobody runs any more, which would
 * otherwise stay PREPARED and hold back every read-committed reader forever.
 */
final class SinkRecovery {
  static final String TXNS = ".txns";
  private static final Logger LOG = LoggerFactory.getLogger(SinkRecovery.class);

  private SinkRecovery() {}

  /**
   * What recovery did.
   *
   * @param committed tokens committed (recorded in the restored checkpoint)
   * @param subtasksResolved subtask indexes whose lingering transactions were aborted, summed over the sinks
   */
  record Result(int committed, int subtasksResolved) {}

  /**
   * Recovers every transactional sink of {@code graph} per {@code plan}, all from the same restored checkpoint: first
   * the recorded tokens of every sink are committed, then each sink's lingering transactions are aborted. So after
   * recovery a checkpoint's output is committed in all sinks (it completed) or in none (it did not). Non-transactional
   * sinks have nothing to do.
   */
  static Result recover(JobConfig config, JobGraph graph, RestorePlan plan) throws Exception {
    int committed = 0;
    int resolved = 0;
    List<JobGraph.SinkInfo> sinks = new ArrayList<>();
    for (JobGraph.SinkInfo s : graph.sinks) {
      if (s.transactional()) {
        sinks.add(s);
      }
    }
    List<List<List<byte[]>>> tokens = new ArrayList<>();
    for (JobGraph.SinkInfo info : sinks) {
      TwoPhaseCommitSink<?> sink = (TwoPhaseCommitSink<?>) info.node().sink();
      int recorded = plan.checkpoint().isPresent() ? plan.checkpointParallelism() : 0;
      int subtasks = Math.max(plan.sinkSubtasks(sink.name()), config.parallelism());
      List<List<byte[]>> perSubtask = new ArrayList<>();
      for (int i = 0; i < subtasks; i++) {
        SinkContext ctx = new SinkContext(config.name(), sink.name(), i, config.parallelism());
        List<byte[]> mine = new ArrayList<>();
        if (i < recorded) {
          CompletedCheckpoint c = plan.checkpoint().get();
          String task = JobExecution.taskKey(info.stage(), i);
          byte[] txns = c.task(task).sections().get(info.uid() + TXNS);
          if (txns != null) {
            String what = "checkpoint " + c.id() + " task " + task + " section " + info.uid() + TXNS;
            for (var p : TwoPhaseCommitSinkOp.decode(txns, what)) {
              sink.commit(p.token());
              committed++;
              LOG.info("Recovery of {}: committed transaction of checkpoint {} recorded in checkpoint {} (token {})",
                  ctx.subtaskId(), p.checkpointId(), c.id(), shortHex(p.token()));
              mine.add(p.token());
            }
          }
        }
        perSubtask.add(mine);
      }
      tokens.add(perSubtask);
    }
    for (int s = 0; s < sinks.size(); s++) {
      TwoPhaseCommitSink<?> sink = (TwoPhaseCommitSink<?>) sinks.get(s).node().sink();
      List<List<byte[]>> perSubtask = tokens.get(s);
      for (int i = 0; i < perSubtask.size(); i++) {
        SinkContext ctx = new SinkContext(config.name(), sink.name(), i, config.parallelism());
        if (i >= config.parallelism()) {
          LOG.info("Recovery of {}: resolving the transactions of subtask index {}, which an earlier run used"
              + " (this job has parallelism {})", ctx.subtaskId(), i, config.parallelism());
        }
        sink.abortLingering(ctx, perSubtask.get(i));
        resolved++;
      }
    }
    return new Result(committed, resolved);
  }

  private static String shortHex(byte[] b) {
    String h = HexFormat.of().formatHex(b);
    return h.length() > 32 ? h.substring(0, 32) + "..." : h;
  }
}
