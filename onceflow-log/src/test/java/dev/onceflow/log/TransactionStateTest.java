package dev.onceflow.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TransactionStateTest {
  @Test
  void persistedIdsAreExplicitAndStable() {
    // these ids are on disk: changing one misreads every existing log
    assertEquals(0, TransactionState.ONGOING.id());
    assertEquals(1, TransactionState.PREPARED.id());
    assertEquals(2, TransactionState.PREPARE_COMMIT.id());
    assertEquals(3, TransactionState.PREPARE_ABORT.id());
    assertEquals(4, TransactionState.COMPLETE_COMMIT.id());
    assertEquals(5, TransactionState.COMPLETE_ABORT.id());
    for (TransactionState s : TransactionState.values()) {
      assertEquals(s, TransactionState.fromId(s.id()));
    }
  }

  @Test
  void anUnknownIdIsRefused() {
    assertThrows(UnsupportedLogFormatException.class, () -> TransactionState.fromId((byte) 6));
    assertThrows(UnsupportedLogFormatException.class, () -> TransactionState.fromId((byte) -1));
  }
}
