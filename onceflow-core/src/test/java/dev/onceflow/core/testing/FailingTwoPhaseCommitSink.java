package dev.onceflow.core.testing;

import dev.onceflow.core.sink.ForwardingTwoPhaseCommitWriter;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import java.util.List;

/** Decorates a 2PC sink: write, preCommit or commit fail when their fault fires. */
public final class FailingTwoPhaseCommitSink<T> implements TwoPhaseCommitSink<T> {
  private final TwoPhaseCommitSink<T> inner;
  private final Fault write;
  private final Fault preCommit;
  private final Fault commit;

  public FailingTwoPhaseCommitSink(TwoPhaseCommitSink<T> inner, Fault write, Fault preCommit, Fault commit) {
    this.inner = inner;
    this.write = write;
    this.preCommit = preCommit;
    this.commit = commit;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public boolean idempotent() {
    return inner.idempotent();
  }

  @Override
  public TwoPhaseCommitWriter<T> createWriter(SinkContext context) throws Exception {
    TwoPhaseCommitWriter<T> w = inner.createWriter(context);
    return new ForwardingTwoPhaseCommitWriter<>(w) {
      @Override
      public void write(T record) throws Exception {
        write.check("sink write");
        w.write(record);
      }

      @Override
      public byte[] preCommit(long checkpointId) throws Exception {
        byte[] token = w.preCommit(checkpointId);
        preCommit.check("sink preCommit");
        return token;
      }
    };
  }

  @Override
  public void commit(byte[] token) throws Exception {
    commit.check("sink commit");
    inner.commit(token);
  }

  @Override
  public void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws Exception {
    inner.abortLingering(context, recordedTokens);
  }
}
