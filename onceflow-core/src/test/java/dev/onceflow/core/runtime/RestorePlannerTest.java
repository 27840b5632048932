package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.IncompatibleCheckpointException;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.checkpoint.CheckpointMetadata;
import dev.onceflow.core.checkpoint.CompletedCheckpoint;
import dev.onceflow.core.checkpoint.JobHistory;
import dev.onceflow.core.checkpoint.TaskSnapshot;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CollectingSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The restore plan and sink recovery, without threads: what is refused, which subtask indexes are resolved. */
class RestorePlannerTest {
  private static final Path DIR = Path.of("ckpt");

  /** A transactional sink that records what recovery asks of it. */
  private static final class RecordingSink implements TwoPhaseCommitSink<Long> {
    final List<Integer> resolved = new ArrayList<>();
    final List<byte[]> committed = new ArrayList<>();

    @Override
    public String name() {
      return "rec";
    }

    @Override
    public TwoPhaseCommitWriter<Long> createWriter(SinkContext context) {
      throw new AssertionError("recovery creates no writer");
    }

    @Override
    public void commit(byte[] token) {
      committed.add(token);
    }

    @Override
    public void abortLingering(SinkContext context, List<byte[]> recordedTokens) {
      resolved.add(context.subtask());
    }
  }

  private static JobGraph graph(Sink<?> sink) {
    return JobGraph.compile(new Transformation.SinkT(
        new Transformation.SourceT(GeneratorSource.of(10, i -> i), Transformation.WatermarkSpec.READER), sink));
  }

  private static JobConfig config(Guarantee g, int parallelism) {
    return new JobConfig("job", g, parallelism, 128, Duration.ZERO, Duration.ofMinutes(1), DIR, 3,
        RestartStrategy.noRestart(), 64, 2, false, 0, List.of(), 1024, false);
  }

  private static CompletedCheckpoint checkpoint(Guarantee g, int parallelism, String sinkUid, byte[] token)
      throws IOException {
    List<String> tasks = new ArrayList<>();
    Map<String, TaskSnapshot> snapshots = new java.util.HashMap<>();
    for (int i = 0; i < parallelism; i++) {
      tasks.add("s0-" + i);
      byte[] txns = TwoPhaseCommitSinkOp.encode(List.of(new TwoPhaseCommitSinkOp.PendingTxn(5, token)));
      snapshots.put("s0-" + i, new TaskSnapshot(Map.of(sinkUid + SinkRecovery.TXNS, txns)));
    }
    return new CompletedCheckpoint(new CheckpointMetadata(5, false, 1, "job", g, tasks), snapshots);
  }

  @Test
  void everySinkSubtaskIndexEverStartedIsResolvedWithoutACheckpoint() throws Exception {
    RecordingSink sink = new RecordingSink();
    JobGraph graph = graph(sink);
    JobHistory history = new JobHistory(Guarantee.EXACTLY_ONCE, Map.of("rec", 4)); // a p=4 run died before ckpt 1
    RestorePlan plan = RestorePlanner.plan(config(Guarantee.EXACTLY_ONCE, 2), graph, DIR, Optional.empty(),
        Optional.of(history));
    assertEquals(4, plan.sinkSubtasks());
    assertEquals(4, plan.history().sinkParallelism("rec"), "lowering the parallelism keeps the highest");
    SinkRecovery.recover(config(Guarantee.EXACTLY_ONCE, 2), graph, plan);
    assertEquals(List.of(0, 1, 2, 3), sink.resolved);
  }

  @Test
  void theRestoredCheckpointsTokensAreCommittedBeforeTheRestIsAborted() throws Exception {
    RecordingSink sink = new RecordingSink();
    JobGraph graph = graph(sink);
    // checkpoint taken at p=2 after an earlier p=4 run: indexes 2 and 3 have no tokens but may hold prepared ones
    CompletedCheckpoint c = checkpoint(Guarantee.EXACTLY_ONCE, 2, graph.sinks.get(0).uid(), new byte[] {7});
    RestorePlan plan = RestorePlanner.plan(config(Guarantee.EXACTLY_ONCE, 2), graph, DIR, Optional.of(c),
        Optional.of(new JobHistory(Guarantee.EXACTLY_ONCE, Map.of("rec", 4))));
    SinkRecovery.Result r = SinkRecovery.recover(config(Guarantee.EXACTLY_ONCE, 2), graph, plan);
    assertEquals(2, r.committed());
    assertArrayEquals(new byte[] {7}, sink.committed.get(0));
    assertEquals(List.of(0, 1, 2, 3), sink.resolved);
  }

  @Test
  void pendingTransactionsAJobWithoutTheTransactionalSinkWouldDropAreRefused() throws Exception {
    JobGraph graph = graph(new CollectingSink<Long>());
    CompletedCheckpoint c = checkpoint(Guarantee.EXACTLY_ONCE, 1, graph.sinks.get(0).uid(), new byte[] {1});
    IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
        () -> RestorePlanner.plan(config(Guarantee.AT_LEAST_ONCE, 1), graph, DIR, Optional.of(c), Optional.empty()));
    assertTrue(e.getMessage().contains("prepared transactions"), e.getMessage());
  }

  @Test
  void aCheckpointWithoutARecordedGuaranteeServesOnlyAtLeastOnce() throws Exception {
    RecordingSink sink = new RecordingSink();
    JobGraph graph = graph(sink);
    CompletedCheckpoint old = checkpoint(null, 1, graph.sinks.get(0).uid(), new byte[] {1});
    IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
        () -> RestorePlanner.plan(config(Guarantee.EXACTLY_ONCE, 1), graph, DIR, Optional.of(old), Optional.empty()));
    assertTrue(e.getMessage().contains("unrecorded guarantee") && e.getMessage().contains("AT_LEAST_ONCE"),
        e.getMessage());
    RestorePlanner.plan(config(Guarantee.AT_LEAST_ONCE, 1), graph, DIR, Optional.of(old), Optional.empty());
  }

  @Test
  void thePendingTransactionListHasAVersionAndOldListsAreStillRead() throws Exception {
    byte[] v1 = TwoPhaseCommitSinkOp.encode(List.of(new TwoPhaseCommitSinkOp.PendingTxn(3, new byte[] {9, 8})));
    assertEquals(TwoPhaseCommitSinkOp.TXNS_VERSION, v1[0]);
    var back = TwoPhaseCommitSinkOp.decode(v1, "t");
    assertEquals(3, back.get(0).checkpointId());
    assertArrayEquals(new byte[] {9, 8}, back.get(0).token());

    byte[] legacy = java.util.Arrays.copyOfRange(v1, 1, v1.length); // before the version byte: count first
    assertArrayEquals(new byte[] {9, 8}, TwoPhaseCommitSinkOp.decode(legacy, "t").get(0).token());

    v1[0] = 5;
    IOException e = assertThrows(IOException.class, () -> TwoPhaseCommitSinkOp.decode(v1, "op1.txns"));
    assertTrue(e.getMessage().contains("op1.txns") && e.getMessage().contains("version 5"), e.getMessage());
  }

  @Test
  void atMostOncePositionsCommittedWithoutACheckpointPinTheParallelism(@org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    Path positions = java.nio.file.Files.createDirectories(dir.resolve("positions"));
    for (int i = 0; i < 2; i++) {
      java.nio.file.Files.write(positions.resolve("source-" + i + ".a"), new byte[0]);
      java.nio.file.Files.write(positions.resolve("source-" + i + ".b"), new byte[0]);
    }
    JobGraph g = graph(new CollectingSink<Long>());
    // files of a run at 2 but nothing committed yet: nothing was read, any parallelism may start
    RestorePlanner.plan(config(Guarantee.AT_MOST_ONCE, 4), g, dir, Optional.empty(), Optional.empty());
    RestorePlanner.plan(config(Guarantee.AT_MOST_ONCE, 1), g, dir, Optional.empty(), Optional.empty());
    // the run at 1 commits through subtask 0 (subtask 1's files stay empty, as the verifier's soak had it)
    java.nio.file.Files.write(positions.resolve("source-0.b"), new byte[] {1, 2, 3});
    RestorePlanner.plan(config(Guarantee.AT_MOST_ONCE, 1), g, dir, Optional.empty(), Optional.empty());
    for (int p : new int[] {2, 4}) {
      IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
          () -> RestorePlanner.plan(config(Guarantee.AT_MOST_ONCE, p), g, dir, Optional.empty(), Optional.empty()));
      assertTrue(e.getMessage().contains("committed by 1 source subtasks") && e.getMessage().contains("parallelism 1"),
          e.getMessage());
    }
    RestorePlanner.plan(config(Guarantee.AT_MOST_ONCE, 1), g, dir, Optional.empty(), Optional.empty());
    // the other guarantees resume from checkpoints only; the at-most-once files do not bind them
    RestorePlanner.plan(config(Guarantee.AT_LEAST_ONCE, 4), g, dir, Optional.empty(), Optional.empty());
  }
}
