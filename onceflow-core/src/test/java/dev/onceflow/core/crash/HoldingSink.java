package dev.onceflow.core.crash;

import dev.onceflow.core.sink.ForwardingTwoPhaseCommitWriter;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transactional sink that, on the n-th call of a chosen step (pre-commit, commit, abort of lingering transactions
 * in recovery), prints "HELD step sink" and blocks forever, so the parent can SIGKILL the JVM exactly there. The
 * other steps and calls pass straight through.
 */
final class HoldingSink<T> implements TwoPhaseCommitSink<T> {
  enum Step { NONE, PRECOMMIT, COMMIT, RECOVERED }

  private static final CountDownLatch NEVER = new CountDownLatch(1);
  private final TwoPhaseCommitSink<T> inner;
  private final Step step;
  private final AtomicInteger countdown;

  HoldingSink(TwoPhaseCommitSink<T> inner, Step step, int nth) {
    this.inner = inner;
    this.step = step;
    this.countdown = new AtomicInteger(nth);
  }

  private void maybeHold(Step at) {
    if (step == at && countdown.decrementAndGet() == 0) {
      System.out.println("HELD " + at + " " + inner.name());
      System.out.flush();
      try {
        NEVER.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public TwoPhaseCommitWriter<T> createWriter(SinkContext context) throws Exception {
    TwoPhaseCommitWriter<T> w = inner.createWriter(context);
    return new ForwardingTwoPhaseCommitWriter<>(w) {
      @Override
      public byte[] preCommit(long checkpointId) throws Exception {
        byte[] token = w.preCommit(checkpointId);
        maybeHold(Step.PRECOMMIT);
        return token;
      }
    };
  }

  @Override
  public void commit(byte[] token) throws Exception {
    maybeHold(Step.COMMIT);
    inner.commit(token);
  }

  @Override
  public void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws Exception {
    inner.abortLingering(context, recordedTokens);
    if (context.subtask() == context.parallelism() - 1) {
      maybeHold(Step.RECOVERED); // the last index of the last sink: recovery is done, nothing new written yet
    }
  }
}
