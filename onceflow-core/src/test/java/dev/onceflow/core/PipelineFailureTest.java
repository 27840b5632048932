package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.FileSink;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CollectingSink;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.FailingTwoPhaseCommitSink;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.FaultTestPipelines;
import dev.onceflow.core.testing.GatedSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * In-process failures injected into a source, an operator, a sink write, a preCommit and a commit; the job restarts
 * from its latest completed checkpoint. The committed output must match the guarantee.
 */
class PipelineFailureTest {
  static final long N = 300_000;
  static final long KEYS = 101;

  enum Site {
    SOURCE,
    OPERATOR,
    SINK_WRITE,
    PRE_COMMIT,
    COMMIT
  }

  @TempDir Path tmp;

  private record Run(List<String> output, int faultsFired, int restarts, long checkpoints) {}

  private Run run(Guarantee guarantee, Site site) throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    // Two faults per run, a third of the input apart, each after at least one completed checkpoint.
    Fault fault =
        site == Site.PRE_COMMIT || site == Site.COMMIT
            ? new Fault(3, 4, 2, checkpoints::completed, 1)
            : new Fault(N / 3, N / 3, 2, checkpoints::completed, 1);
    Fault never = Fault.never();
    boolean twoPhase = guarantee == Guarantee.EXACTLY_ONCE || site == Site.PRE_COMMIT || site == Site.COMMIT;
    Path out = tmp.resolve("out");
    CollectingSink<String> collecting = new CollectingSink<>(site == Site.SINK_WRITE ? fault : never);
    Sink<String> sink =
        twoPhase
            ? new FailingTwoPhaseCommitSink<>(FileSink.of(out, Encoder.<String>utf8String()),
                site == Site.SINK_WRITE ? fault : never,
                site == Site.PRE_COMMIT ? fault : never,
                site == Site.COMMIT ? fault : never)
            : collecting;
    Fault opFault = site == Site.OPERATOR ? fault : never;
    Pipeline p = FaultTestPipelines.pipeline("failure-" + guarantee + "-" + site, guarantee, tmp.resolve("ckpt"),
        checkpoints);
    JobHandle job = p.source(new FailingSource<>(new GatedSource<>(GeneratorSource.of(N, i -> i), N / 2, checkpoints::completed, 4),
        site == Site.SOURCE ? fault : never))
        .keyBy(i -> i % KEYS)
        .process(new CountPerKey())
        .map(s -> {
          opFault.check("operator");
          return s;
        })
        .sinkTo(sink)
        .start();
    job.join();
    List<String> lines = twoPhase ? FileSink.readCommitted(out) : collecting.values();
    return new Run(lines, fault.fired(), job.metrics().restarts(), checkpoints.completed());
  }

  @ParameterizedTest
  @EnumSource(Site.class)
  void exactlyOnceOutputIsExactDespiteFailures(Site site) throws Exception {
    Run r = run(Guarantee.EXACTLY_ONCE, site);
    assertEquals(2, r.faultsFired(), "faults fired");
    assertEquals(2, r.restarts(), "restarts");
    Expectations.assertExactlyOnce(r.output(), N, i -> i % KEYS);
  }

  @ParameterizedTest
  @EnumSource(Site.class)
  void atLeastOnceLosesNothingDespiteFailures(Site site) throws Exception {
    Run r = run(Guarantee.AT_LEAST_ONCE, site);
    assertEquals(2, r.faultsFired(), "faults fired");
    Expectations.assertNothingMissing(r.output(), N);
  }

  @ParameterizedTest
  @EnumSource(Site.class)
  void atMostOnceDuplicatesNothingDespiteFailures(Site site) throws Exception {
    Run r = run(Guarantee.AT_MOST_ONCE, site);
    assertEquals(2, r.faultsFired(), "faults fired");
    Expectations.assertNothingDuplicated(r.output());
    assertTrue(r.output().size() <= N);
  }
}
