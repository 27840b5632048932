package dev.onceflow.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.onceflow.core.Guarantee;
import org.junit.jupiter.api.Test;

class GuaranteeCompatibilityTest {
  private static final Guarantee AMO = Guarantee.AT_MOST_ONCE;
  private static final Guarantee ALO = Guarantee.AT_LEAST_ONCE;
  private static final Guarantee EO = Guarantee.EXACTLY_ONCE;

  @Test
  void theMatrixOfTheReadme() {
    Guarantee[] from = {AMO, ALO, EO, null};
    boolean[][] expected = {
        // to: AMO, ALO, EO
        {true, true, false}, // from AT_MOST_ONCE
        {false, true, false}, // from AT_LEAST_ONCE
        {false, true, true}, // from EXACTLY_ONCE
        {false, true, false}, // unknown (metadata version 1 or 2)
    };
    Guarantee[] to = {AMO, ALO, EO};
    for (int f = 0; f < from.length; f++) {
      for (int t = 0; t < to.length; t++) {
        assertEquals(expected[f][t], GuaranteeCompatibility.canServe(from[f], to[t]), from[f] + " -> " + to[t]);
        assertEquals(!expected[f][t], GuaranteeCompatibility.whyNot(from[f], to[t]).isPresent());
      }
    }
  }

  @Test
  void guaranteeIdsAreStableAndUnknownIdsRefused() {
    assertEquals(1, AMO.id());
    assertEquals(2, ALO.id());
    assertEquals(3, EO.id());
    for (Guarantee g : Guarantee.values()) {
      assertEquals(g, Guarantee.fromId(g.id()));
    }
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Guarantee.fromId(0));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Guarantee.fromId(4));
  }
}
