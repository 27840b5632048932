package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.state.MapState;
import dev.onceflow.core.state.internal.NamespacedState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Namespaced state against a model map: every mix of puts and removes (probe runs crossing the table's end, the
 * backward shift of removal, growth), its snapshot restoring into namespaced state and into the MapState it stands for,
 * and a MapState's snapshot restoring into it, with and without a subset of the key groups (rescaling).
 */
class NamespacedStateTest {
  /** A key with a chosen hash code: few distinct hashes force long probe runs. */
  record Key(int id, int hash) implements java.io.Serializable {
    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.id == id;
    }
  }

  /** One operation: put (value >= 0) or remove (value < 0) of (key, namespace). */
  record Op(int key, long namespace, int value) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = net.jqwik.api.Combinators.combine(
            Arbitraries.integers().between(0, 40),
            Arbitraries.longs().between(-3, 5),
            Arbitraries.integers().between(-40, 100))
        .as(Op::new);
    return op.list().ofMinSize(0).ofMaxSize(400);
  }

  private static Key key(int id, int hashes) {
    return new Key(id, id % hashes);
  }

  @Property(tries = 200)
  void behavesLikeAMapOfKeyAndNamespaceAndCheckpointsAsTheMapState(
      @ForAll("ops") List<Op> ops, @ForAll("hashCount") int hashes) throws Exception {
    HeapKeyedState s = new HeapKeyedState(16);
    NamespacedState<Integer> ns = s.namespacedState("windows", Serializers.INTEGER);
    Map<Key, Map<Long, Integer>> model = new HashMap<>();
    for (Op op : ops) {
      apply(op, key(op.key(), hashes), s, ns, model);
      assertEquals(op.value() >= 0 ? (Integer) op.value() : null, ns.get(op.namespace()));
    }
    assertMatches(model, s, ns, hashes);
    var snapshot = s.snapshot();
    for (int id = 0; id <= 40; id++) { // after the barrier: must not reach the snapshot
      s.setCurrentKey(key(id, hashes));
      ns.put(0, -7);
      ns.remove(1);
    }
    byte[] bytes = snapshot.call();

    HeapKeyedState asNamespaced = new HeapKeyedState(16);
    NamespacedState<Integer> restored = asNamespaced.namespacedState("windows", Serializers.INTEGER);
    asNamespaced.restore(bytes, "test", kg -> true);
    assertMatches(model, asNamespaced, restored, hashes);

    HeapKeyedState asMap = new HeapKeyedState(16);
    MapState<Long, Integer> map = asMap.mapState("windows", Serializers.LONG, Serializers.INTEGER);
    asMap.restore(bytes, "test", kg -> true);
    for (int id = 0; id <= 40; id++) {
      Key k = key(id, hashes);
      asMap.setCurrentKey(k);
      assertEquals(model.getOrDefault(k, Map.of()), map.entries(), "key " + k);
    }

    // the other way, and a rescaled restore: only the key groups of one of two new subtasks
    java.util.function.IntPredicate firstHalf = kg -> KeyGroups.subtask(kg, 2, 16) == 0;
    HeapKeyedState half = new HeapKeyedState(16);
    NamespacedState<Integer> halfState = half.namespacedState("windows", Serializers.INTEGER);
    half.restore(asMap.snapshot().call(), "test", firstHalf);
    Map<Key, Map<Long, Integer>> halfModel = new HashMap<>(model);
    halfModel.keySet().removeIf(k -> !firstHalf.test(KeyGroups.keyGroup(k, 16)));
    assertMatches(halfModel, half, halfState, hashes);
  }

  /**
   * Snapshots reuse the bytes of namespaces unchanged since the previous one: after every mix of changes between
   * snapshots, with some snapshots abandoned before they were written (a checkpoint that failed), each written
   * snapshot restores to the state at its barrier, whole and for half the key groups.
   */
  @Property(tries = 200)
  void successiveSnapshotsEachRestoreTheStateAtTheirBarrier(
      @ForAll("manyNamespaces") List<Op> ops, @ForAll("hashCount") int hashes, @ForAll("cuts") List<Integer> cuts)
      throws Exception {
    applyWithSnapshots(ops, hashes, cuts, (i, s, model) -> {
      var snapshot = s.snapshot();
      if (i % 3 == 2) {
        return; // abandoned: never written
      }
      Map<Key, Map<Long, Integer>> expected = copyOf(model);
      byte[] bytes = snapshot.call();
      assertRestores(bytes, expected, kg -> true, hashes);
      assertRestores(bytes, expected, kg -> KeyGroups.subtask(kg, 2, 16) == 1, hashes);
    });
  }

  /**
   * The checkpoint I/O thread may write a snapshot after the task took the next one (a slow write): then the next
   * copy cannot build on it and must hold every entry, while one taken after a write may hold only the changed
   * namespaces. Snapshots written in order, some late, each restore to the state at their barrier.
   */
  @Property(tries = 200)
  void snapshotsWrittenAfterTheNextWasTakenEachRestoreTheStateAtTheirBarrier(
      @ForAll("manyNamespaces") List<Op> ops, @ForAll("hashCount") int hashes, @ForAll("cuts") List<Integer> cuts)
      throws Exception {
    java.util.ArrayDeque<java.util.concurrent.Callable<byte[]>> unwritten = new java.util.ArrayDeque<>();
    java.util.ArrayDeque<Map<Key, Map<Long, Integer>>> expectedOf = new java.util.ArrayDeque<>();
    applyWithSnapshots(ops, hashes, cuts, (i, s, model) -> {
      Map<Key, Map<Long, Integer>> expected = copyOf(model);
      unwritten.addLast(s.snapshot());
      expectedOf.addLast(expected);
      // every other snapshot waits until the next one was taken; the rest are written at once, in order
      while (unwritten.size() > (i % 2 == 0 ? 1 : 0)) {
        assertRestores(unwritten.pollFirst().call(), expectedOf.pollFirst(), kg -> true, hashes);
      }
    });
  }

  /** What a snapshot property does before op {@code i} (and after the last): the state and the model as of then. */
  interface AtSnapshotPoint {
    void run(int i, HeapKeyedState s, Map<Key, Map<Long, Integer>> model) throws Exception;
  }

  /** Applies {@code ops} to namespaced state and to a model, calling {@code atPoint} at the points {@code cuts} pick. */
  private static void applyWithSnapshots(List<Op> ops, int hashes, List<Integer> cuts, AtSnapshotPoint atPoint)
      throws Exception {
    HeapKeyedState s = new HeapKeyedState(16);
    NamespacedState<Integer> ns = s.namespacedState("windows", Serializers.INTEGER);
    Map<Key, Map<Long, Integer>> model = new HashMap<>();
    java.util.Set<Integer> at = snapshotPoints(cuts, ops.size());
    for (int i = 0; i <= ops.size(); i++) {
      if (at.contains(i)) {
        atPoint.run(i, s, model);
      }
      if (i == ops.size()) {
        break;
      }
      Op op = ops.get(i);
      apply(op, key(op.key(), hashes), s, ns, model);
    }
  }

  /** The op indexes before which a snapshot is taken. */
  private static java.util.Set<Integer> snapshotPoints(List<Integer> cuts, int ops) {
    java.util.Set<Integer> at = new java.util.HashSet<>();
    for (int c : cuts) {
      at.add(c % (ops + 1));
    }
    return at;
  }

  private static Map<Key, Map<Long, Integer>> copyOf(Map<Key, Map<Long, Integer>> model) {
    Map<Key, Map<Long, Integer>> copy = new HashMap<>();
    model.forEach((k, m) -> copy.put(k, new HashMap<>(m)));
    return copy;
  }

  /** {@code bytes} restored with the key groups {@code keyGroups} hold exactly those of {@code expected}. */
  private static void assertRestores(byte[] bytes, Map<Key, Map<Long, Integer>> expected,
      java.util.function.IntPredicate keyGroups, int hashes) throws Exception {
    HeapKeyedState restored = new HeapKeyedState(16);
    NamespacedState<Integer> state = restored.namespacedState("windows", Serializers.INTEGER);
    restored.restore(bytes, "test", keyGroups);
    Map<Key, Map<Long, Integer>> inGroups = new HashMap<>(expected);
    inGroups.keySet().removeIf(k -> !keyGroups.test(KeyGroups.keyGroup(k, 16)));
    assertMatches(inGroups, restored, state, hashes, MANY_NAMESPACES);
  }

  /** Up to 70 namespaces: beyond the changed-namespace list of a snapshot (32), and over a growing index. */
  @Provide
  Arbitrary<List<Op>> manyNamespaces() {
    Arbitrary<Op> op = net.jqwik.api.Combinators.combine(
            Arbitraries.integers().between(0, 40),
            Arbitraries.longs().between(-3, MANY_NAMESPACES),
            Arbitraries.integers().between(-40, 100))
        .as(Op::new);
    return op.list().ofMinSize(0).ofMaxSize(400);
  }

  private static final long MANY_NAMESPACES = 66;

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 400).list().ofMinSize(1).ofMaxSize(12);
  }

  /** Applies {@code op} for key {@code k} to the state and to the model. */
  private static void apply(Op op, Key k, HeapKeyedState s, NamespacedState<Integer> ns,
      Map<Key, Map<Long, Integer>> model) {
    s.setCurrentKey(k);
    if (op.value() >= 0) {
      ns.put(op.namespace(), op.value());
      model.computeIfAbsent(k, x -> new HashMap<>()).put(op.namespace(), op.value());
    } else {
      ns.remove(op.namespace());
      Map<Long, Integer> m = model.get(k);
      if (m != null) {
        m.remove(op.namespace());
        if (m.isEmpty()) {
          model.remove(k);
        }
      }
    }
  }

  @Provide
  Arbitrary<Integer> hashCount() {
    return Arbitraries.of(1, 3, 41);
  }

  private static void assertMatches(Map<Key, Map<Long, Integer>> model, HeapKeyedState s,
      NamespacedState<Integer> ns, int hashes) {
    assertMatches(model, s, ns, hashes, 5);
  }

  private static void assertMatches(Map<Key, Map<Long, Integer>> model, HeapKeyedState s,
      NamespacedState<Integer> ns, int hashes, long maxNamespace) {
    for (int id = 0; id <= 40; id++) {
      Key k = key(id, hashes);
      s.setCurrentKey(k);
      for (long n = -3; n <= maxNamespace; n++) {
        assertEquals(model.getOrDefault(k, Map.of()).get(n), ns.get(n), "key " + k + ", namespace " + n);
      }
    }
  }
}
