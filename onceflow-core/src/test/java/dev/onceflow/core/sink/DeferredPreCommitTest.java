package dev.onceflow.core.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobFailedException;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.GatedSource;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TwoPhaseCommitWriter#preCommitDeferred}: the runtime goes on with the next transaction at once, and awaits
 * the token on the checkpoint I/O thread before the checkpoint is acknowledged. A checkpoint must never complete (and
 * nothing be committed) while its token is unresolved.
 */
class DeferredPreCommitTest {
  @TempDir Path tmp;

  /** An in-memory transactional sink whose tokens resolve as {@code awaiter} decides. */
  private static final class MemorySink implements TwoPhaseCommitSink<Long> {
    interface Awaiter {
      byte[] await(Writer w, long txn, byte[] token, Duration timeout) throws Exception;
    }

    final Map<Long, List<Long>> prepared = new ConcurrentHashMap<>();
    final Map<Long, Long> checkpointOf = new ConcurrentHashMap<>();
    final Set<Long> resolved = ConcurrentHashMap.newKeySet();
    final Set<Long> committedTxns = ConcurrentHashMap.newKeySet();
    final List<Long> committed = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
    final Awaiter awaiter;

    MemorySink(Awaiter awaiter) {
      this.awaiter = awaiter;
    }

    @Override
    public String name() {
      return "memory";
    }

    final class Writer implements TwoPhaseCommitWriter<Long> {
      volatile long txn;
      volatile List<Long> open;
      final AtomicInteger writesInOpen = new AtomicInteger();
      final CountDownLatch closed = new CountDownLatch(1);

      @Override
      public void beginTransaction() {
        txn++;
        open = new ArrayList<>();
        writesInOpen.set(0);
      }

      @Override
      public void write(Long record) {
        open.add(record);
        writesInOpen.incrementAndGet();
      }

      @Override
      public byte[] preCommit(long checkpointId) throws Exception {
        return preCommitDeferred(checkpointId).await(Duration.ofMinutes(1));
      }

      @Override
      public DeferredToken preCommitDeferred(long checkpointId) {
        long t = txn;
        prepared.put(t, open);
        checkpointOf.put(t, checkpointId);
        open = null;
        byte[] token = ByteBuffer.allocate(8).putLong(t).array();
        return timeout -> {
          byte[] b = awaiter.await(this, t, token, timeout);
          resolved.add(t);
          return b;
        };
      }

      @Override
      public void abort() {
        open = null;
      }

      @Override
      public void close() {
        closed.countDown();
      }
    }

    @Override
    public TwoPhaseCommitWriter<Long> createWriter(SinkContext context) {
      return new Writer();
    }

    @Override
    public void commit(byte[] token) {
      long t = ByteBuffer.wrap(token).getLong();
      if (!resolved.contains(t)) {
        violations.add("transaction " + t + " committed before its deferred token resolved");
      }
      if (committedTxns.add(t)) {
        committed.addAll(prepared.get(t));
      }
    }

    @Override
    public void abortLingering(SinkContext context, List<byte[]> recordedTokens) {}
  }

  @Test
  void aTokenThatNeverResolvesFailsTheCheckpointNeverCompletesItNorCommits() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    MemorySink sink = new MemorySink((w, txn, token, timeout) -> {
      if (!never.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new TimeoutException("transaction " + txn + " not prepared in " + timeout);
      }
      return token;
    });
    CheckpointCounter checkpoints = new CheckpointCounter();
    JobHandle job = Onceflow.pipeline("deferred-never").guarantee(Guarantee.EXACTLY_ONCE).parallelism(1)
        .checkpointInterval(Duration.ofMillis(50)).checkpointTimeout(Duration.ofMillis(500))
        .checkpointDir(tmp.resolve("ckpt")).restartStrategy(RestartStrategy.noRestart()).listener(checkpoints)
        .source(GeneratorSource.of(10_000, i -> i))
        .sinkTo(sink)
        .start();
    JobFailedException e = assertThrows(JobFailedException.class, job::join);
    // whichever gives up first: the I/O thread's wait for the token, or the coordinator's timeout of the checkpoint
    assertTrue(causes(e).contains("was not prepared within 500 ms") || causes(e).contains("timed out"), causes(e));
    assertEquals(0, checkpoints.completed(), "a checkpoint completed with an unresolved token");
    assertEquals(Set.of(), sink.committedTxns, "a transaction was committed with an unresolved token");
  }

  @Test
  void theTaskWritesTheNextTransactionWhileTheTokenIsAwaitedAndCompletionWaitsForIt() throws Exception {
    long n = 200_000;
    AtomicInteger overlapped = new AtomicInteger();
    MemorySink sink = new MemorySink((w, txn, token, timeout) -> {
      // resolve once the task wrote into the next transaction (it did not wait for us), or the writer closed (after
      // the final checkpoint there is no next transaction), or after a bound (the source may be gated meanwhile)
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      while (System.nanoTime() < deadline && w.closed.getCount() > 0) {
        if (w.txn > txn && w.writesInOpen.get() > 0) {
          overlapped.incrementAndGet();
          break;
        }
        Thread.onSpinWait();
      }
      return token;
    });
    CheckpointCounter checkpoints = new CheckpointCounter();
    List<String> completionViolations = java.util.Collections.synchronizedList(new ArrayList<>());
    JobListener order = new JobListener() {
      @Override
      public void onCheckpointCompleted(long id) {
        // every transaction prepared on the barrier of this checkpoint or an earlier one must be resolved by now
        for (var e : sink.checkpointOf.entrySet()) {
          long t = e.getKey();
          if (e.getValue() <= id && !sink.resolved.contains(t)) {
            completionViolations.add("checkpoint " + id + " completed before the token of transaction " + t
                + " resolved");
          }
        }
      }
    };
    JobHandle job = Onceflow.pipeline("deferred-overlap").guarantee(Guarantee.EXACTLY_ONCE).parallelism(1)
        .checkpointInterval(Duration.ofMillis(20)).checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.noRestart()).listener(checkpoints).listener(order)
        .source(new GatedSource<>(GeneratorSource.of(n, i -> i), n / 2, checkpoints::completed, 3))
        .sinkTo(sink)
        .start();
    job.join();
    assertEquals(List.of(), sink.violations);
    assertEquals(List.of(), completionViolations);
    assertTrue(checkpoints.completed() >= 3, "checkpoints completed: " + checkpoints.completed());
    assertTrue(overlapped.get() >= 1, "no token was awaited while the task wrote the next transaction: the barrier"
        + " waited for the preparation on the task thread");
    List<Long> out = new ArrayList<>(sink.committed);
    out.sort(null);
    assertEquals(n, out.size());
    for (int i = 0; i < n; i++) {
      assertEquals(i, out.get(i));
    }
  }

  private static String causes(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c).append(" | ");
    }
    return b.toString();
  }
}
