package dev.onceflow.core.runtime;

import dev.onceflow.core.sink.DeferredToken;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one subtask of a {@link TwoPhaseCommitSink}. On barrier n: preCommit (prepare) the open transaction, begin
 * the next one at once; on the checkpoint I/O thread, before the subtask acknowledges n, await the prepared token
 * ({@link TwoPhaseCommitWriter#preCommitDeferred}), add it to the pending list and store the pending list in the
 * checkpoint ({@code <uid>.txns}). So checkpoint n can complete only with n's token resolved and recorded. When checkpoint n completes the coordinator commits every pending token up to n and drops it; a token
 * stays pending (and in later checkpoints) until its commit succeeded, so a crash between completion and commit is
 * repaired by recovery committing it again.
 */
final class TwoPhaseCommitSinkOp extends SinkOp {
  private static final Logger LOG = LoggerFactory.getLogger(TwoPhaseCommitSinkOp.class);

  private final String uid;
  private final TwoPhaseCommitSink<Object> sink;
  private TwoPhaseCommitWriter<Object> writer;
  private boolean open;
  private SinkContext context;
  // guarded by itself: appended by the task thread, drained by the coordinator thread (once per checkpoint)
  private final List<PendingTxn> pending = new ArrayList<>();

  record PendingTxn(long checkpointId, byte[] token) {}

  /** How long the checkpoint I/O thread waits for a deferred token: the pipeline's checkpoint timeout. */
  Duration tokenTimeout = Duration.ofMinutes(1);

  TwoPhaseCommitSinkOp(String uid, TwoPhaseCommitSink<Object> sink) {
    this.uid = uid;
    this.sink = sink;
  }

  @Override
  void openSink(TaskContext ctx) throws Exception {
    context = new SinkContext(ctx.jobName(), sink.name(), ctx.subtask(), ctx.parallelism());
    writer = sink.createWriter(context);
    writer.beginTransaction();
    open = true;
  }

  @Override
  void write(Object record) throws Exception {
    writer.write(record);
  }

  @Override
  void endInput() {}

  @Override
  void flushIdle() {}

  @Override
  void endOfBatch() {}

  @Override
  void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) throws Exception {
    long id = barrier.id();
    DeferredToken deferred = writer.preCommitDeferred(id);
    open = false;
    Duration timeout = tokenTimeout;
    // called on the checkpoint I/O thread before the acknowledgement, in checkpoint order (one thread, FIFO)
    sections.put(uid + ".txns", () -> recorded(id, resolve(id, deferred, timeout)));
    if (!barrier.finalCheckpoint()) {
      writer.beginTransaction();
      open = true;
    }
  }

  private byte[] resolve(long id, DeferredToken deferred, Duration timeout) throws Exception {
    byte[] token;
    try {
      token = deferred.await(timeout);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("sink " + context.subtaskId() + ": the transaction prepared on the barrier of"
          + " checkpoint " + id + " was not prepared within " + timeout.toMillis() + " ms (the checkpoint timeout);"
          + " the checkpoint cannot complete without it. Check the sink's target, or raise checkpointTimeout", e);
    }
    if (token == null) {
      throw new IllegalStateException("sink " + context.subtaskId() + ": the prepared transaction of checkpoint " + id
          + " resolved to no token (a bug in the sink's preCommitDeferred)");
    }
    return token;
  }

  /** Adds checkpoint {@code id}'s token to the pending list; the {@code <uid>.txns} section of checkpoint id. */
  private byte[] recorded(long id, byte[] token) throws IOException {
    synchronized (pending) {
      int at = pending.size();
      while (at > 0 && pending.get(at - 1).checkpointId > id) {
        at--;
      }
      pending.add(at, new PendingTxn(id, token));
      List<PendingTxn> upTo = new ArrayList<>();
      for (PendingTxn p : pending) {
        if (p.checkpointId <= id) {
          upTo.add(p);
        }
      }
      return encode(upTo);
    }
  }

  /** Called when an open transaction is aborted on cancellation (the job's meters count it). */
  Runnable onAbort = () -> {};

  /** Prepared transactions not committed yet; any thread. */
  int pendingCount() {
    synchronized (pending) {
      return pending.size();
    }
  }

  /** The sink this op drives (one instance for all subtasks of a sink). */
  TwoPhaseCommitSink<Object> sink() {
    return sink;
  }

  /** The pending transactions of checkpoints up to {@code checkpointId}, oldest first. Coordinator thread. */
  List<PendingTxn> dueUpTo(long checkpointId) {
    List<PendingTxn> due = new ArrayList<>();
    synchronized (pending) {
      for (PendingTxn p : pending) {
        if (p.checkpointId <= checkpointId) {
          due.add(p);
        }
      }
    }
    return due;
  }

  /** Drops {@code done} (committed by the sink) from the pending list. Coordinator thread. */
  void committed(List<PendingTxn> done) {
    synchronized (pending) {
      pending.removeAll(done);
    }
  }

  @Override
  void close(boolean failed) throws Exception {
    if (writer == null) {
      return;
    }
    try {
      if (open && failed) {
        writer.abort();
        onAbort.run();
        LOG.info("Aborted the open transaction of {} on cancellation", context.subtaskId());
      }
    } finally {
      writer.close();
    }
  }

  /**
   * The {@code <uid>.txns} section: version (byte, {@value #TXNS_VERSION}), count (int), per transaction: checkpoint id
   * (long), token length (int), token bytes. Sections written before it had a version start with the count's high
   * byte, which is always 0: read as version 0.
   */
  static final int TXNS_VERSION = 1;

  static byte[] encode(List<PendingTxn> txns) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(TXNS_VERSION);
    out.writeInt(txns.size());
    for (PendingTxn p : txns) {
      out.writeLong(p.checkpointId);
      out.writeInt(p.token.length);
      out.write(p.token);
    }
    out.flush();
    return bytes.toByteArray();
  }

  /** Parses a {@code <uid>.txns} section ({@code what} names it in errors); refuses a version it does not know. */
  static List<PendingTxn> decode(byte[] data, String what) throws IOException {
    if (data.length == 0) {
      throw new IOException(what + " is empty: the pending transactions of a sink cannot be read");
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data));
    int version = data[0] & 0xFF;
    if (version == TXNS_VERSION) {
      in.readByte();
    } else if (version != 0) {
      throw new IOException(what + " is a pending-transaction list of version " + version + "; this Onceflow reads"
          + " versions 0 to " + TXNS_VERSION + " (written by a newer Onceflow? restore it with that version: its"
          + " transactions must be committed, never dropped)");
    }
    int n = in.readInt();
    List<PendingTxn> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long id = in.readLong();
      byte[] t = new byte[in.readInt()];
      in.readFully(t);
      out.add(new PendingTxn(id, t));
    }
    return out;
  }

  String uid() {
    return uid;
  }
}
