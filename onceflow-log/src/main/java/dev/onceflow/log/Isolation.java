package dev.onceflow.log;

/** What a consumer may see. */
public enum Isolation {
  /** Everything up to the end offset, including data of open and aborted transactions (never control markers). */
  READ_UNCOMMITTED,
  /**
   * Only up to the last stable offset: committed transactional data and non-transactional data; aborted data and
   * control markers are never returned.
   */
  READ_COMMITTED
}
