package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CollectingSink;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.GatedSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator ids are positional: a pipeline whose operators moved (here a map added before the keyBy, which shifts the
 * keyed operator's id) would restore another operator's state, or none, and silently start its counts from zero.
 * Every checkpoint records each stage's operators, and a restore by another shape is refused before anything is read;
 * the same pipeline built again restores as before.
 */
class PipelineShapeChangeTest {
  static final long N = 100_000;
  @TempDir Path tmp;

  private JobHandle start(boolean extraMap, Fault fault, CheckpointCounter checkpoints) {
    DataStream<Long> in = Onceflow.pipeline("shape")
        .guarantee(Guarantee.AT_LEAST_ONCE)
        .parallelism(2)
        .batchSize(64)
        .checkpointInterval(Duration.ofMillis(10))
        .checkpointDir(tmp.resolve("ckpt"))
        .listener(checkpoints)
        .source(new FailingSource<>(new GatedSource<>(GeneratorSource.of(N, i -> i), N / 2, checkpoints::completed, 2),
            fault));
    if (extraMap) {
      in = in.map(Function.identity());
    }
    return in.keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(new CollectingSink<String>("counts")) // write-through: no pending transactions to notice the move
        .start();
  }

  @Test
  void aCheckpointOfAnotherShapeIsRefusedAndTheSameShapeResumes() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    JobHandle first = start(false, new Fault(N / 2, 1, 1, checkpoints::completed, 2), checkpoints);
    assertThrows(JobFailedException.class, first::join);
    assertTrue(checkpoints.completed() >= 2);

    JobHandle moved = start(true, Fault.never(), checkpoints);
    JobFailedException e = assertThrows(JobFailedException.class, moved::join);
    assertTrue(e.nonRecoverable(), "a refused restore must not be retried");
    assertEquals(0, moved.metrics().recordsRead());
    IncompatibleCheckpointException why = assertInstanceOf(IncompatibleCheckpointException.class, e.getCause());
    String m = why.getMessage();
    assertTrue(m.contains("=map") && m.contains("by position") && m.contains("new checkpoint directory"), m);

    JobHandle same = start(false, Fault.never(), checkpoints);
    same.join();
    assertTrue(same.metrics().recordsRead() > 0 && same.metrics().recordsRead() < N,
        "resumed from the checkpoint: read " + same.metrics().recordsRead());
  }
}
