package dev.onceflow.core.sink;

import java.time.Duration;

/**
 * The token of a transaction whose preparation may still be finishing (returned by {@link
 * TwoPhaseCommitWriter#preCommitDeferred}): for a target where preparing means waiting for a round trip (flushing a
 * producer and awaiting its acknowledgements), the subtask goes on with the next transaction at once and the runtime
 * waits for the preparation on the checkpoint I/O thread instead of the task thread.
 *
 * <p>What the runtime promises, under EXACTLY_ONCE: {@link #await} is called once, before the subtask acknowledges
 * the checkpoint, and the token it returns is what goes into the checkpoint. So a completed checkpoint never covers a
 * transaction whose preparation did not finish: if {@code await} throws, or does not return within the timeout it
 * is given (it must then throw {@link java.util.concurrent.TimeoutException}), that checkpoint is never completed
 * and the attempt fails, restarting from the last completed checkpoint; the transaction is then not in any completed
 * checkpoint and {@link TwoPhaseCommitSink#abortLingering} aborts it.
 */
@FunctionalInterface
public interface DeferredToken {
  /**
   * Waits until the transaction is prepared (durable and committable by any later process, still invisible) and
   * returns its token, the bytes {@link TwoPhaseCommitSink#commit} is later given. Called from the checkpoint I/O
   * thread, while the subtask's thread may be writing the next transaction.
   *
   * @param timeout how long the runtime waits (the pipeline's checkpoint timeout)
   * @throws java.util.concurrent.TimeoutException if the preparation has not finished within {@code timeout}
   * @throws Exception if the preparation failed: the checkpoint fails with it
   */
  byte[] await(Duration timeout) throws Exception;

  /** A token that is ready already (what {@link TwoPhaseCommitWriter#preCommitDeferred} returns by default). */
  static DeferredToken ready(byte[] token) {
    return timeout -> token;
  }
}
