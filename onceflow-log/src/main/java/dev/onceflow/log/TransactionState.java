package dev.onceflow.log;

/**
 * States of a transaction in the durable transaction log. Each state has an explicit byte {@link #id()}: that id, never
 * the enum's ordinal, is what the coordinator file stores, so reordering or adding constants cannot misread a log.
 */
public enum TransactionState {
  /** Data may be sent; invisible to read-committed readers; aborted on timeout, on fencing and on reopen. */
  ONGOING(0),
  /** Data durable, awaiting an explicit commit or abort ({@link Log#commitPrepared}); survives restarts. */
  PREPARED(1),
  /** Commit decided and durable; markers being written (completed on reopen after a crash). */
  PREPARE_COMMIT(2),
  /** Abort decided and durable; markers being written (completed on reopen after a crash). */
  PREPARE_ABORT(3),
  /** Committed: visible to read-committed readers. */
  COMPLETE_COMMIT(4),
  /** Aborted: never visible to read-committed readers. */
  COMPLETE_ABORT(5);

  private static final TransactionState[] BY_ID = new TransactionState[6];

  static {
    for (TransactionState s : values()) {
      if (BY_ID[s.id] != null) {
        throw new ExceptionInInitializerError("duplicate TransactionState id " + s.id);
      }
      BY_ID[s.id] = s;
    }
  }

  private final byte id;

  TransactionState(int id) {
    this.id = (byte) id;
  }

  /** The persisted id of this state (stable across versions). */
  public byte id() {
    return id;
  }

  /**
   * The state with this persisted id.
   *
   * @throws UnsupportedLogFormatException if no state has it (a file written by a newer version, or corrupt)
   */
  public static TransactionState fromId(byte id) {
    if (id < 0 || id >= BY_ID.length || BY_ID[id] == null) {
      throw new UnsupportedLogFormatException("unknown transaction state id " + id + ": the log was written by a"
          + " newer Onceflow version or is corrupt; open it with the version that wrote it");
    }
    return BY_ID[id];
  }

  /** Whether the transaction still holds back the last stable offset of the partitions it touched. */
  public boolean isOpen() {
    return this == ONGOING || this == PREPARED || this == PREPARE_COMMIT || this == PREPARE_ABORT;
  }
}
