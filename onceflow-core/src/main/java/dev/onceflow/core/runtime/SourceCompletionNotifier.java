package dev.onceflow.core.runtime;

import dev.onceflow.core.checkpoint.TaskSnapshot;
import dev.onceflow.core.source.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands a completed checkpoint's source positions to {@link Source#checkpointCompleted}. */
final class SourceCompletionNotifier {
  private static final Logger LOG = LoggerFactory.getLogger(SourceCompletionNotifier.class);

  private SourceCompletionNotifier() {}

  /**
   * Tells {@code source} that checkpoint {@code id} completed with the positions its subtasks ({@code sourceKeys}, in
   * subtask order) snapshotted. A failure is logged, never thrown: the checkpoint is durable whatever the source does.
   */
  static void notify(Source<?> source, long id, Map<String, byte[]> snapshots, List<String> sourceKeys) {
    try {
      List<byte[]> positions = new ArrayList<>(sourceKeys.size());
      for (String key : sourceKeys) {
        byte[] snapshot = snapshots.get(key);
        positions.add(snapshot == null ? null
            : TaskSnapshot.fromBytes(snapshot, "snapshot of " + key).sections().get(SourceTask.POSITION));
      }
      source.checkpointCompleted(id, positions);
    } catch (Exception e) {
      LOG.warn("Source {} failed to handle the completion of checkpoint {} (the checkpoint stays completed)",
          source.name(), id, e);
    }
  }
}
