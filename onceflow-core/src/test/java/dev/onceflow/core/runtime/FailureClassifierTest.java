package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.IncompatibleCheckpointException;
import dev.onceflow.core.InvalidPipelineException;
import dev.onceflow.core.NonRecoverableException;
import dev.onceflow.log.CorruptLogException;
import dev.onceflow.log.LogFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {
  private static boolean fatal(Throwable t) {
    return FailureClassifier.nonRecoverable(t).isPresent();
  }

  @Test
  void nonRecoverableAnywhereInTheCauseChain() {
    assertTrue(fatal(new IllegalStateException("subtask s0-1 failed", new CorruptLogException("bad batch at 42"))));
    assertTrue(fatal(new IllegalStateException("x", new LogFailedException("fsync failed"))));
    assertTrue(fatal(new IllegalStateException("x", new dev.onceflow.log.UnsupportedLogFormatException("v9"))));
    assertTrue(fatal(new dev.onceflow.log.OffsetOutOfRangeException("deleted",
        new dev.onceflow.log.TopicPartition("posts", 0), 5, 100)));
    assertTrue(fatal(new InvalidPipelineException("no sink")));
    assertTrue(fatal(new IncompatibleCheckpointException(Path.of("d"), "other guarantee")));
    assertTrue(fatal(new RuntimeException("wrapped", new NonRecoverableException("bad credentials"))));
    assertTrue(fatal(new UncheckedIOException(new IOException("No space left on device"))));
    assertTrue(fatal(new IllegalStateException("x", new FileSystemException("/data/f", null,
        "No space left on device"))));
  }

  @Test
  void everythingElseIsRecoverable() {
    assertFalse(fatal(new IllegalStateException("subtask s1-0 failed", new RuntimeException("injected"))));
    assertFalse(fatal(new UncheckedIOException(new IOException("Connection reset by peer"))));
    assertFalse(fatal(new IllegalStateException("checkpoint 3 timed out")));
    assertFalse(fatal(new dev.onceflow.log.LogException("read failed: EIO")));
  }

  @Test
  void aCyclicCauseChainEnds() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertFalse(fatal(a));
  }
}
