package dev.onceflow.core.sink;

import java.util.List;

/**
 * A transactional sink (two-phase commit). Per checkpoint and subtask: the writer pre-commits (prepares) its
 * transaction on the barrier and returns a token; the token is stored in the checkpoint; once the checkpoint is
 * complete the runtime calls {@link #commit}. On restore the runtime commits every token recorded in the restored
 * checkpoint again, then calls {@link #abortLingering} so transactions no completed checkpoint recorded are aborted.
 *
 * <p>{@link #commit} and {@link #abortLingering} are called from the checkpoint coordinator's thread, possibly while
 * the subtask's writer is writing a newer transaction: they must be thread-safe with respect to the writer.
 */
public interface TwoPhaseCommitSink<T> extends Sink<T> {
  /** Creates the writer of one subtask; the runtime then calls beginTransaction. */
  TwoPhaseCommitWriter<T> createWriter(SinkContext context) throws Exception;

  /**
   * Commits a prepared transaction. Must be idempotent: committing an already committed token is a no-op (it is
   * called again on recovery). Throwing fails the attempt; recovery then commits the same token again.
   */
  void commit(byte[] token) throws Exception;

  /**
   * Commits the due transactions of one completed checkpoint: every subtask's tokens, those of one subtask in
   * checkpoint order. The default calls {@link #commit} for each, one after the other. A sink whose subtasks' commits
   * are independent may run them concurrently (one connection per subtask), keeping each subtask's in order. Must
   * return only once every token is committed; throwing fails the attempt, and recovery commits the tokens again (the
   * ones already committed must then be no-ops, as for {@link #commit}). Coordinator thread.
   */
  default void commitAll(List<byte[]> tokens) throws Exception {
    for (byte[] token : tokens) {
      commit(token);
    }
  }

  /**
   * Aborts every prepared or open transaction of subtask {@code context} that is not in {@code recordedTokens} (the
   * tokens of the checkpoint being restored, already committed). Called before the subtask's writer is created, on
   * every start and restart. Implementations log what they aborted.
   *
   * <p>It is called for every subtask index any job on the same checkpoint directory ever started this sink with, not
   * only this job's: after the parallelism was lowered, {@code context.subtask()} may be {@code >=
   * context.parallelism()}, an index no writer of this run will use. Derive the transactions to resolve from {@code
   * context.subtaskId()} / {@code context.subtask()} alone, and abort ONGOING ones of such an index too if the target
   * keeps them (no later writer's fencing will do it).
   */
  void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws Exception;
}
