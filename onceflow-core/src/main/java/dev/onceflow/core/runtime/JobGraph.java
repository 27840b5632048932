package dev.onceflow.core.runtime;

import dev.onceflow.core.InvalidPipelineException;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.core.source.Source;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The physical plan: the pipeline's graph of transformations cut into stages. Stage 0 holds every source (several
 * sources are read as one tagged union) and what follows them up to the first keyed operator; every keyed operator
 * (process, window, deduplicate, co-process, interval join) starts a stage, and so does a union of streams of
 * different stages. A stage runs as P subtasks, each one thread with all the stage's operators; operators inside a
 * stage call each other directly (a node with several consumers hands each record to each of them), and a stage sends
 * to another through P x P bounded channels per input edge, routed by key group (keyBy) or to the same subtask index
 * (a union across stages).
 *
 * <p>Operator ids ({@code uids}, which name state and pending transactions in checkpoints) are {@code op<d>}, d = the
 * length of the longest path from a source; nodes at the same depth are told apart as {@code op<d>_1}, {@code
 * op<d>_2}, ... in a deterministic order (depth-first from the sinks in the order they were added). For a linear
 * pipeline these are exactly the ids of the earlier one-sink compiler, so its checkpoints restore unchanged.
 */
final class JobGraph {
  /**
   * One input of a stage.
   *
   * @param fromStage the sending stage
   * @param from the node (of {@code fromStage}) whose records are sent
   * @param keyFn the keyBy's key function, or null: forward (each subtask sends to the subtask of the same index)
   * @param toStage the receiving stage
   * @param input the receiving stage's input index (its channels are {@code input * P ... input * P + P - 1})
   */
  record Edge(int fromStage, Transformation from, Function<Object, Object> keyFn, int toStage, int input) {}

  /**
   * One stage.
   *
   * @param index stage number: inputs come from stages with lower numbers
   * @param nodes the stage's nodes in topological order (keyBy nodes are edges, not nodes)
   * @param inputs the stage's input edges, by input index (none for stage 0)
   * @param head the node that receives the inputs (null for stage 0, whose head is the source)
   */
  record Stage(int index, List<Transformation> nodes, List<Edge> inputs, Transformation head) {}

  /**
   * A sink of the pipeline.
   *
   * @param node the sink node
   * @param stage the stage it runs in
   * @param uid its operator id
   */
  record SinkInfo(Transformation.SinkT node, int stage, String uid) {
    boolean transactional() {
      return node.sink() instanceof TwoPhaseCommitSink<?>;
    }
  }

  final List<Stage> stages;
  final List<SinkInfo> sinks;
  /** The one source of stage 0 (a tagged union if the pipeline has several). */
  final Source<?> source;
  final Transformation.WatermarkSpec watermarks;
  /** True if {@link #source} emits {@link UnionSource.Tagged} records, one branch per root. */
  final boolean tagged;
  /** Stage 0's roots (sources, and unions of source branches read as one source), in branch order. */
  final List<Transformation> roots;
  private final Map<Transformation, String> uids;
  private final Map<Transformation, Integer> stageOf;
  private final Map<Transformation, List<Transformation>> consumers;

  private JobGraph(List<Stage> stages, List<SinkInfo> sinks, Source<?> source, Transformation.WatermarkSpec watermarks,
      boolean tagged, List<Transformation> roots, Map<Transformation, String> uids, Map<Transformation, Integer> stageOf,
      Map<Transformation, List<Transformation>> consumers) {
    this.stages = stages;
    this.sinks = sinks;
    this.source = source;
    this.watermarks = watermarks;
    this.tagged = tagged;
    this.roots = roots;
    this.uids = uids;
    this.stageOf = stageOf;
    this.consumers = consumers;
  }

  static JobGraph compile(Transformation.SinkT sink) {
    return compile(List.of(sink));
  }

  /** Compiles the pipeline that ends in {@code sinkNodes}; nodes that lead to no sink are not run. */
  static JobGraph compile(List<Transformation.SinkT> sinkNodes) {
    if (sinkNodes.isEmpty()) {
      throw new InvalidPipelineException("the pipeline has no sink: end it with DataStream.sinkTo(...)");
    }
    Map<String, Transformation.SinkT> names = new HashMap<>();
    for (Transformation.SinkT s : sinkNodes) {
      if (!(s.sink() instanceof WriteThroughSink<?>) && !(s.sink() instanceof TwoPhaseCommitSink<?>)) {
        throw new InvalidPipelineException(
            "sink '" + s.sink().name() + "' implements neither WriteThroughSink nor TwoPhaseCommitSink");
      }
      if (names.put(s.sink().name(), s) != null) {
        throw new InvalidPipelineException("sink name '" + s.sink().name() + "' is used by two sinks of the pipeline:"
            + " sink names identify transactions and recovery history, so they must be unique (write to another"
            + " topic, table or directory, or give the sink another name)");
      }
    }
    // topological order: depth-first from the sinks, inputs before the node
    List<Transformation> order = new ArrayList<>();
    Map<Transformation, Boolean> visited = new IdentityHashMap<>();
    for (Transformation.SinkT s : sinkNodes) {
      visit(s, visited, order);
    }
    Map<Transformation, List<Transformation>> consumers = new IdentityHashMap<>();
    for (Transformation t : order) {
      consumers.putIfAbsent(t, new ArrayList<>());
      for (Transformation in : t.inputs()) {
        consumers.computeIfAbsent(in, x -> new ArrayList<>()).add(t);
      }
    }
    // a union of chains "source + stateless operators" that nothing else reads is read as one source (UnionSource)
    Map<Transformation, Boolean> absorbed = new IdentityHashMap<>();
    Map<Transformation, Source<?>> collapsed = new IdentityHashMap<>();
    for (Transformation t : order) {
      if (t instanceof Transformation.UnionT u && collapsible(u, consumers)) {
        collapsed.put(u, unionSource(u, absorbed));
      }
    }
    List<Transformation> roots = new ArrayList<>();
    for (Transformation t : order) {
      if (!absorbed.containsKey(t) && (t instanceof Transformation.SourceT || collapsed.containsKey(t))) {
        roots.add(t);
      }
    }
    // operator ids by depth
    Map<Transformation, Integer> depth = new IdentityHashMap<>();
    Map<Transformation, String> uids = new IdentityHashMap<>();
    Map<Integer, Integer> used = new HashMap<>();
    for (Transformation t : order) {
      if (absorbed.containsKey(t)) {
        continue;
      }
      int d = 0;
      if (!roots.contains(t)) {
        for (Transformation in : t.inputs()) {
          d = Math.max(d, depth.get(in) + 1);
        }
      }
      depth.put(t, d);
      int n = used.merge(d, 1, Integer::sum) - 1;
      uids.put(t, n == 0 ? "op" + d : "op" + d + "_" + n);
    }
    // stages
    Map<Transformation, Integer> stageOf = new IdentityHashMap<>();
    List<Transformation> heads = new ArrayList<>();
    heads.add(null);
    for (Transformation t : order) {
      if (absorbed.containsKey(t)) {
        continue;
      }
      int s;
      if (roots.contains(t)) {
        s = 0;
      } else if (t instanceof Transformation.ProcessT || t instanceof Transformation.CoProcessT) {
        s = heads.size();
        heads.add(t);
      } else if (t instanceof Transformation.UnionT u) {
        int first = stageOf.get(u.inputs().get(0));
        boolean same = u.inputs().stream().allMatch(in -> stageOf.get(in) == first);
        if (same) {
          s = first;
        } else {
          s = heads.size();
          heads.add(t);
        }
      } else {
        s = stageOf.get(t.parent());
      }
      stageOf.put(t, s);
    }
    List<List<Edge>> inputs = new ArrayList<>();
    for (int k = 0; k < heads.size(); k++) {
      inputs.add(new ArrayList<>());
      Transformation h = heads.get(k);
      if (h instanceof Transformation.ProcessT p) {
        inputs.get(k).add(keyedEdge(p.parent(), k, 0, stageOf));
      } else if (h instanceof Transformation.CoProcessT c) {
        inputs.get(k).add(keyedEdge(c.first(), k, 0, stageOf));
        inputs.get(k).add(keyedEdge(c.second(), k, 1, stageOf));
      } else if (h instanceof Transformation.UnionT u) {
        for (int i = 0; i < u.inputs().size(); i++) {
          Transformation in = u.inputs().get(i);
          inputs.get(k).add(new Edge(stageOf.get(in), in, null, k, i));
        }
      }
    }
    List<Stage> stages = new ArrayList<>();
    for (int k = 0; k < heads.size(); k++) {
      List<Transformation> nodes = new ArrayList<>();
      for (Transformation t : order) {
        if (!absorbed.containsKey(t) && !(t instanceof Transformation.KeyByT) && stageOf.get(t) == k) {
          nodes.add(t);
        }
      }
      stages.add(new Stage(k, List.copyOf(nodes), List.copyOf(inputs.get(k)), heads.get(k)));
    }
    List<SinkInfo> sinks = new ArrayList<>();
    for (Transformation.SinkT s : sinkNodes) {
      sinks.add(new SinkInfo(s, stageOf.get(s), uids.get(s)));
    }
    Source<?> source;
    Transformation.WatermarkSpec spec;
    boolean tagged = roots.size() > 1;
    if (!tagged) {
      Transformation r = roots.get(0);
      source = r instanceof Transformation.SourceT st ? st.source() : collapsed.get(r);
      spec = r instanceof Transformation.SourceT st ? st.watermarks() : Transformation.WatermarkSpec.READER;
    } else {
      List<UnionSource.Branch> branches = new ArrayList<>();
      for (Transformation r : roots) {
        @SuppressWarnings("unchecked")
        Source<Object> src = (Source<Object>) (r instanceof Transformation.SourceT st ? st.source() : collapsed.get(r));
        branches.add(new UnionSource.Branch(src, r instanceof Transformation.SourceT st ? st.watermarks()
            : Transformation.WatermarkSpec.READER, List.of()));
      }
      source = new UnionSource(branches, true);
      spec = Transformation.WatermarkSpec.READER;
    }
    return new JobGraph(List.copyOf(stages), List.copyOf(sinks), source, spec, tagged, List.copyOf(roots), uids,
        stageOf, consumers);
  }

  private static Edge keyedEdge(Transformation.KeyByT k, int toStage, int input, Map<Transformation, Integer> stageOf) {
    return new Edge(stageOf.get(k.parent()), k.parent(), k.keyFn(), toStage, input);
  }

  private static void visit(Transformation t, Map<Transformation, Boolean> visited, List<Transformation> order) {
    if (visited.put(t, Boolean.TRUE) != null) {
      return;
    }
    for (Transformation in : t.inputs()) {
      visit(in, visited, order);
    }
    if (t.inputs().isEmpty() && !(t instanceof Transformation.SourceT)) {
      throw new InvalidPipelineException("the pipeline does not start with a source");
    }
    order.add(t);
  }

  private static boolean collapsible(Transformation.UnionT u, Map<Transformation, List<Transformation>> consumers) {
    for (Transformation input : u.inputs()) {
      for (Transformation t = input; ; t = t.parent()) {
        if (consumers.get(t).size() != 1) {
          return false;
        }
        if (t instanceof Transformation.SourceT) {
          break;
        }
        if (!(t instanceof Transformation.MapT || t instanceof Transformation.FilterT
            || t instanceof Transformation.FlatMapT)) {
          return false;
        }
      }
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private static UnionSource unionSource(Transformation.UnionT union, Map<Transformation, Boolean> absorbed) {
    List<UnionSource.Branch> branches = new ArrayList<>();
    for (Transformation input : union.inputs()) {
      List<Transformation> ops = new ArrayList<>();
      Transformation t = input;
      while (!(t instanceof Transformation.SourceT)) {
        ops.add(t);
        absorbed.put(t, Boolean.TRUE);
        t = t.parent();
      }
      absorbed.put(t, Boolean.TRUE);
      Collections.reverse(ops);
      Transformation.SourceT src = (Transformation.SourceT) t;
      branches.add(new UnionSource.Branch(
          (dev.onceflow.core.source.Source<Object>) src.source(), src.watermarks(), ops));
    }
    return new UnionSource(branches, false);
  }

  /** The operator id of {@code node}. */
  String uid(Transformation node) {
    return uids.get(node);
  }

  /**
   * What the operators of {@code stage} are, in order, as {@code uid=kind} entries ({@code op3=process:window}):
   * recorded in every checkpoint (section {@link StageOps#SHAPE}) so that a restore can refuse a pipeline whose
   * operators moved. Operator ids are positional, so a map added before a keyBy would hand every later operator's
   * state to the wrong operator, or none. Kinds are explicit names (never class names of lambdas, which change from
   * one JVM to the next).
   */
  String shape(Stage stage) {
    StringBuilder b = new StringBuilder();
    for (Transformation t : stage.nodes()) {
      b.append(b.length() == 0 ? "" : ",").append(uid(t)).append('=').append(kind(t));
    }
    return b.toString();
  }

  static String kind(Transformation t) {
    if (t instanceof Transformation.SourceT) {
      return "source";
    } else if (t instanceof Transformation.MapT) {
      return "map";
    } else if (t instanceof Transformation.FilterT) {
      return "filter";
    } else if (t instanceof Transformation.FlatMapT) {
      return "flatMap";
    } else if (t instanceof Transformation.KeyByT) {
      return "keyBy";
    } else if (t instanceof Transformation.ProcessT p) {
      return "process:" + stableName(p.name());
    } else if (t instanceof Transformation.CoProcessT c) {
      return "coProcess:" + stableName(c.name());
    } else if (t instanceof Transformation.SideOutputT so) {
      return "sideOutput:" + so.tagId();
    } else if (t instanceof Transformation.UnionT) {
      return "union";
    } else if (t instanceof Transformation.SinkT sk) {
      return "sink:" + sk.sink().name();
    }
    return t.getClass().getSimpleName();
  }

  /** A function's name if it is stable across JVMs (not a lambda's or an anonymous class's), else "fn". */
  private static String stableName(String name) {
    return name == null || name.isEmpty() || name.contains("$$") || name.contains("/") ? "fn" : name;
  }

  /** The stage {@code node} runs in. */
  int stageOf(Transformation node) {
    return stageOf.get(node);
  }

  /** The nodes reading {@code node}'s output, in a deterministic order. */
  List<Transformation> consumers(Transformation node) {
    return consumers.getOrDefault(node, List.of());
  }

  /** The edges that send {@code node}'s records to other stages. */
  List<Edge> edgesFrom(Transformation node) {
    List<Edge> out = new ArrayList<>();
    for (Stage s : stages) {
      for (Edge e : s.inputs()) {
        if (e.from() == node) {
          out.add(e);
        }
      }
    }
    return out;
  }

  /** The sink named {@code name}, or null. */
  SinkInfo sink(String name) {
    for (SinkInfo s : sinks) {
      if (s.node().sink().name().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
