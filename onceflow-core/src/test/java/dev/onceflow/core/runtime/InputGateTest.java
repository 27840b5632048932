package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InputGateTest {
  private static RecordBatch batch(String r) {
    return new RecordBatch(new Object[] {r}, new Object[] {r}, new long[] {0}, 1);
  }

  @Test
  void aWaitingConsumerGetsTheElementOfAnUnblockedChannelWhileAnotherIsBlocked() throws Exception {
    CancelFlag cancel = new CancelFlag();
    InputGate gate = new InputGate(2, 8);
    boolean[] blocked = {true, false};
    CompletableFuture<StreamElement> taken = CompletableFuture.supplyAsync(() -> {
      try {
        return gate.poll(blocked, TimeUnit.SECONDS.toNanos(30), cancel);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    RecordBatch held = batch("held");
    RecordBatch free = batch("free");
    gate.put(0, held, cancel); // blocked channel: must not be returned, however the consumer is woken
    gate.put(1, free, cancel);
    assertSame(free, taken.get(30, TimeUnit.SECONDS));
    assertEquals(1, gate.lastChannel());
    assertNull(gate.poll(blocked, 0, cancel));
  }

  @Test
  void elementsQueuedOnABlockedChannelAreDeliveredOnceItIsUnblocked() throws Exception {
    CancelFlag cancel = new CancelFlag();
    InputGate gate = new InputGate(2, 8);
    boolean[] blocked = {true, false};
    assertNull(gate.poll(blocked, 0, cancel));
    RecordBatch held = batch("held");
    gate.put(0, held, cancel);
    assertNull(gate.poll(blocked, 0, cancel));
    blocked[0] = false; // alignment done (consumer thread, between polls)
    assertSame(held, gate.poll(blocked, TimeUnit.SECONDS.toNanos(30), cancel));
  }
}
