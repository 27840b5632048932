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
    HeapKeyedState s = new HeapKeyedState(16);
    NamespacedState<Integer> ns = s.namespacedState("windows", Serializers.INTEGER);
    Map<Key, Map<Long, Integer>> model = new HashMap<>();
    java.util.Set<Integer> at = new java.util.HashSet<>();
    for (int c : cuts) {
      at.add(c % (ops.size() + 1));
    }
    for (int i = 0; i <= ops.size(); i++) {
      if (at.contains(i)) {
        var snapshot = s.snapshot();
        if (i % 3 == 2) {
          continue; // abandoned: never written
        }
        Map<Key, Map<Long, Integer>> expected = new HashMap<>();
        model.forEach((k, m) -> expected.put(k, new HashMap<>(m)));
        byte[] bytes = snapshot.call();
        HeapKeyedState whole = new HeapKeyedState(16);
        NamespacedState<Integer> wholeState = whole.namespacedState("windows", Serializers.INTEGER);
        whole.restore(bytes, "test", kg -> true);
        assertMatches(expected, whole, wholeState, hashes, MANY_NAMESPACES);
        java.util.function.IntPredicate secondHalf = kg -> KeyGroups.subtask(kg, 2, 16) == 1;
        HeapKeyedState half = new HeapKeyedState(16);
        NamespacedState<Integer> halfState = half.namespacedState("windows", Serializers.INTEGER);
        half.restore(bytes, "test", secondHalf);
        expected.keySet().removeIf(k -> !secondHalf.test(KeyGroups.keyGroup(k, 16)));
        assertMatches(expected, half, halfState, hashes, MANY_NAMESPACES);
      }
      if (i == ops.size()) {
        break;
      }
      Op op = ops.get(i);
      apply(op, key(op.key(), hashes), s, ns, model);
    }
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
    HeapKeyedState s = new HeapKeyedState(16);
    NamespacedState<Integer> ns = s.namespacedState("windows", Serializers.INTEGER);
    Map<Key, Map<Long, Integer>> model = new HashMap<>();
    java.util.Set<Integer> at = new java.util.HashSet<>();
    for (int c : cuts) {
      at.add(c % (ops.size() + 1));
    }
    java.util.ArrayDeque<java.util.concurrent.Callable<byte[]>> unwritten = new java.util.ArrayDeque<>();
    java.util.ArrayDeque<Map<Key, Map<Long, Integer>>> expectedOf = new java.util.ArrayDeque<>();
    for (int i = 0; i <= ops.size(); i++) {
      if (at.contains(i)) {
        Map<Key, Map<Long, Integer>> expected = new HashMap<>();
        model.forEach((k, m) -> expected.put(k, new HashMap<>(m)));
        unwritten.addLast(s.snapshot());
        expectedOf.addLast(expected);
        // every other snapshot waits until the next one was taken; the rest are written at once, in order
        while (unwritten.size() > (i % 2 == 0 ? 1 : 0)) {
          byte[] bytes = unwritten.pollFirst().call();
          HeapKeyedState restored = new HeapKeyedState(16);
          NamespacedState<Integer> restoredState = restored.namespacedState("windows", Serializers.INTEGER);
          restored.restore(bytes, "test", kg -> true);
          assertMatches(expectedOf.pollFirst(), restored, restoredState, hashes, MANY_NAMESPACES);
        }
      }
      if (i == ops.size()) {
        break;
      }
      Op op = ops.get(i);
      apply(op, key(op.key(), hashes), s, ns, model);
    }
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
