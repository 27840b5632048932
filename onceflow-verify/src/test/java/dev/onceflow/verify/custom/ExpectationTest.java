package dev.onceflow.verify.custom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.CheckResult;
import dev.onceflow.verify.OutputRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpectationTest {
  private static List<OutputRecord> values(String... v) {
    return java.util.Arrays.stream(v).map(OutputRecord::of).toList();
  }

  @Test
  void recordsAreAMultisetInAnyOrder() {
    Expectation e = Expectation.records(List.of("a", "b", "b", "c"));
    CheckResult ok = e.check(values("c", "b", "a", "b"));
    assertTrue(ok.exact());
    assertTrue(ok.promiseHeld(Guarantee.EXACTLY_ONCE));

    CheckResult r = e.check(values("a", "b", "b", "b", "x"));
    assertEquals(1, r.lost(), r.problems()::toString); // c
    assertEquals(2, r.duplicated(), r.problems()::toString); // the third b, and x
    assertFalse(r.promiseHeld(Guarantee.AT_MOST_ONCE));
    assertFalse(r.promiseHeld(Guarantee.AT_LEAST_ONCE));
    assertTrue(r.problems().toString().contains("record 'c' output 0 of 1 times"), r.problems()::toString);
    assertTrue(r.problems().toString().contains("record 'x' is not expected at all"), r.problems()::toString);
  }

  @Test
  void aTableIsTheLastValuePerKey() {
    Expectation e = Expectation.table(Map.of("k1", "v1", "k2", "v2"));
    assertTrue(e.check(List.of(new OutputRecord("k1", "old"), new OutputRecord("k2", "v2"),
        new OutputRecord("k1", "v1"), new OutputRecord("k2", "v2"))).exact(), "replays absorbed");
    CheckResult r = e.check(List.of(new OutputRecord("k1", "wrong"), new OutputRecord("k3", "v3")));
    assertEquals(1, r.lost());
    assertEquals(1, r.duplicated());
    assertFalse(r.exact());
    assertEquals(3, r.problems().size(), r.problems()::toString);
  }

  @Test
  void anInvariantReportsItsOwnFindings() {
    Expectation e = Expectation.invariant(3, (out, f) -> {
      if (out.size() < 3) {
        f.lost(3 - out.size(), "fewer rows than orders");
      }
      out.stream().filter(r -> r.value().startsWith("-")).forEach(r -> f.wrong("negative total " + r.value()));
    });
    assertTrue(e.check(values("1", "2", "3")).exact());
    CheckResult r = e.check(values("1", "-2"));
    assertEquals(1, r.lost());
    assertFalse(r.exact());
    assertTrue(r.promiseHeld(Guarantee.AT_MOST_ONCE));
  }
}
