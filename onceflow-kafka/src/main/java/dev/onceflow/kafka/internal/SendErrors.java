package dev.onceflow.kafka.internal;

import dev.onceflow.kafka.KafkaSinkException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Keeps the first asynchronous send failure of a producer so the writer fails with it instead of dropping records. */
final class SendErrors implements Callback {
  private final AtomicReference<Exception> first = new AtomicReference<>();
  private final String what;

  SendErrors(String what) {
    this.what = what;
  }

  @Override
  public void onCompletion(RecordMetadata metadata, Exception exception) {
    if (exception != null) {
      first.compareAndSet(null, exception);
    }
  }

  /** Throws the first failure, if any. */
  void check() {
    Exception e = first.get();
    if (e instanceof org.apache.kafka.common.errors.RetriableException) {
      // e.g. the broker unreachable past delivery.timeout.ms: a restart (replaying from the checkpoint) may succeed
      throw new IllegalStateException(what + ": a record could not be written to Kafka in time (" + e
          + "); the attempt fails and is restarted from the last checkpoint", e);
    }
    if (e != null) {
      throw new KafkaSinkException(what + ": a record could not be written to Kafka (" + e
          + "); it is not dropped: the job fails", e);
    }
  }

  void reset() {
    first.set(null);
  }
}
