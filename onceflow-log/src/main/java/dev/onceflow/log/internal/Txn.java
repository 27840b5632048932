package dev.onceflow.log.internal;

import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionState;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;

/** One transaction of a transactional id. Guarded by its {@link TransactionalIdState}'s lock. */
final class Txn {
  final String transactionalId;
  final long producerId;
  final long seq;
  final long startMillis;
  final long timeoutMillis;
  volatile TransactionState state;
  /**
   * Sealed by a deferred prepare: no more sends, the next transaction may begin, but still ONGOING (so fencing, the
   * timeout and recovery abort it) until its preparation records PREPARED. Guarded by the id's lock.
   */
  boolean sealed;
  /** The producer epoch when prepared (-1 before), so that tokens listed later equal the one prepare() returned. */
  short preparedEpoch = -1;
  /** Added to by sends under the id's read lock while stats() may read it: a concurrent set. */
  final Set<TopicPartition> partitions = new ConcurrentSkipListSet<>();
  /** {first, last} data offsets per partition; recorded when the transaction is prepared or decided. */
  final Map<TopicPartition, long[]> ranges = new TreeMap<>();
  final Map<String, Map<TopicPartition, Long>> offsets = new TreeMap<>();

  Txn(String transactionalId, long producerId, long seq, long startMillis, long timeoutMillis, TransactionState state) {
    this.transactionalId = transactionalId;
    this.producerId = producerId;
    this.seq = seq;
    this.startMillis = startMillis;
    this.timeoutMillis = timeoutMillis;
    this.state = state;
  }

  @Override
  public String toString() {
    return "transaction " + transactionalId + "#" + seq + " (producer id " + producerId + ", " + state + ")";
  }
}
