package dev.onceflow.core.runtime;

import dev.onceflow.core.InvalidPipelineException;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.WriteThroughSink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The physical plan: the pipeline cut into stages at every keyBy. A stage runs as P subtasks, each one thread with one
 * operator chain; stage k sends to stage k+1 through P x P bounded channels routed by key group.
 */
final class JobGraph {
  /**
   * One stage.
   *
   * @param nodes the stage's nodes in order: a SourceT or ProcessT first, then stateless ones
   * @param uids operator ids of {@code nodes}, stable across restarts of the same program
   * @param exchange the keyBy that ends the stage, or null for the last stage
   * @param sink the sink of the last stage, or null
   * @param sinkUid operator id of the sink
   */
  record Stage(
      List<Transformation> nodes,
      List<String> uids,
      Transformation.KeyByT exchange,
      Transformation.SinkT sink,
      String sinkUid) {}

  final List<Stage> stages;

  private JobGraph(List<Stage> stages) {
    this.stages = stages;
  }

  static JobGraph compile(Transformation.SinkT sinkNode) {
    List<Transformation> chain = new ArrayList<>();
    for (Transformation t = sinkNode; t != null; t = t.parent()) {
      chain.add(t);
    }
    Collections.reverse(chain);
    if (chain.get(0) instanceof Transformation.UnionT u) {
      chain.set(0, new Transformation.SourceT(unionSource(u), Transformation.WatermarkSpec.READER));
    }
    if (!(chain.get(0) instanceof Transformation.SourceT)) {
      throw new InvalidPipelineException("the pipeline does not start with a source");
    }
    if (!(sinkNode.sink() instanceof WriteThroughSink<?>) && !(sinkNode.sink() instanceof TwoPhaseCommitSink<?>)) {
      throw new InvalidPipelineException(
          "sink '" + sinkNode.sink().name() + "' implements neither WriteThroughSink nor TwoPhaseCommitSink");
    }
    List<Stage> stages = new ArrayList<>();
    List<Transformation> nodes = new ArrayList<>();
    List<String> uids = new ArrayList<>();
    for (int i = 0; i < chain.size(); i++) {
      Transformation t = chain.get(i);
      String uid = "op" + i;
      if (t instanceof Transformation.KeyByT k) {
        stages.add(new Stage(List.copyOf(nodes), List.copyOf(uids), k, null, null));
        nodes.clear();
        uids.clear();
      } else if (t instanceof Transformation.SinkT s) {
        stages.add(new Stage(List.copyOf(nodes), List.copyOf(uids), null, s, uid));
      } else {
        nodes.add(t);
        uids.add(uid);
      }
    }
    return new JobGraph(List.copyOf(stages));
  }

  @SuppressWarnings("unchecked")
  private static UnionSource unionSource(Transformation.UnionT union) {
    List<UnionSource.Branch> branches = new ArrayList<>();
    for (Transformation input : union.inputs()) {
      List<Transformation> ops = new ArrayList<>();
      Transformation t = input;
      while (!(t instanceof Transformation.SourceT)) {
        if (!(t instanceof Transformation.MapT || t instanceof Transformation.FilterT
            || t instanceof Transformation.FlatMapT)) {
          throw new InvalidPipelineException(
              "union: only streams made of a source and map/filter/flatMap can be united (found "
                  + t.getClass().getSimpleName() + "); unite before keyBy");
        }
        ops.add(t);
        t = t.parent();
      }
      Collections.reverse(ops);
      Transformation.SourceT src = (Transformation.SourceT) t;
      branches.add(new UnionSource.Branch(
          (dev.onceflow.core.source.Source<Object>) src.source(), src.watermarks(), ops));
    }
    return new UnionSource(branches);
  }

  Stage last() {
    return stages.get(stages.size() - 1);
  }
}
