package dev.onceflow.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BarrierHandlerTest {
  @Test
  void alignedModeBlocksChannelsThatDeliveredTheBarrierUntilAllDid() {
    BarrierHandler h = new BarrierHandler(BarrierHandler.Mode.ALIGNED, 3);
    assertFalse(h.onBarrier(0, 1));
    assertArrayEquals(new boolean[] {true, false, false}, h.blocked());
    assertFalse(h.onBarrier(2, 1));
    assertArrayEquals(new boolean[] {true, false, true}, h.blocked());
    assertTrue(h.onBarrier(1, 1));
    assertArrayEquals(new boolean[] {false, false, false}, h.blocked());
    assertFalse(h.isPending());
  }

  @Test
  void unalignedModeNeverBlocksButTriggersOnTheLastBarrier() {
    BarrierHandler h = new BarrierHandler(BarrierHandler.Mode.UNALIGNED, 2);
    assertFalse(h.onBarrier(1, 7));
    assertArrayEquals(new boolean[] {false, false}, h.blocked());
    assertTrue(h.isPending());
    assertTrue(h.onBarrier(0, 7));
  }

  @Test
  void singleChannelTriggersImmediately() {
    assertTrue(new BarrierHandler(BarrierHandler.Mode.ALIGNED, 1).onBarrier(0, 3));
  }

  @Test
  void newerBarrierAbandonsAnIncompleteAlignment() {
    BarrierHandler h = new BarrierHandler(BarrierHandler.Mode.ALIGNED, 2);
    assertFalse(h.onBarrier(0, 1));
    assertFalse(h.onBarrier(1, 2)); // checkpoint 1 can never complete now
    assertArrayEquals(new boolean[] {false, true}, h.blocked());
    assertTrue(h.onBarrier(0, 2));
    assertFalse(h.onBarrier(0, 1), "a late barrier of an abandoned checkpoint is ignored");
  }

  @Test
  void aDuplicateBarrierOnOneChannelIsAProtocolError() {
    BarrierHandler h = new BarrierHandler(BarrierHandler.Mode.UNALIGNED, 2);
    h.onBarrier(0, 1);
    assertThrows(IllegalStateException.class, () -> h.onBarrier(0, 1));
  }
}
