package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class KeyGroupsTest {
  @Property
  void everyKeyGroupIsOwnedByExactlyTheSubtaskWhoseRangeContainsIt(
      @ForAll @IntRange(min = 1, max = 128) int p, @ForAll int hash) {
    int max = 128;
    int kg = KeyGroups.keyGroup(hash, max);
    assertTrue(kg >= 0 && kg < max);
    int s = KeyGroups.subtask(kg, p, max);
    assertTrue(s >= 0 && s < p);
    assertTrue(KeyGroups.firstKeyGroup(s, p, max) <= kg);
    if (s + 1 < p) {
      assertTrue(kg < KeyGroups.firstKeyGroup(s + 1, p, max));
    }
  }

  @Property(tries = 5)
  void smallIntegerKeysSpreadOverSubtasks(@ForAll @IntRange(min = 2, max = 8) int p) {
    int[] counts = new int[p];
    for (int k = 0; k < 10_000; k++) {
      counts[KeyGroups.subtask(KeyGroups.keyGroup(k, 128), p, 128)]++;
    }
    for (int c : counts) {
      assertTrue(c > 10_000 / p / 2, "subtask load " + c + " of 10000 over " + p);
    }
    assertEquals(10_000, java.util.Arrays.stream(counts).sum());
  }
}
