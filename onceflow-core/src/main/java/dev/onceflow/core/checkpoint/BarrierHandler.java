package dev.onceflow.core.checkpoint;

import dev.onceflow.core.Guarantee;
import java.util.Arrays;

/**
 * Barrier alignment for a subtask with several input channels, as a small state machine separate from record
 * processing (cf. Flink's SingleCheckpointBarrierHandler).
 *
 * <p>ALIGNED (exactly-once, and at-most-once, whose recovery replays from the checkpointed positions with output
 * suppressed and so needs a snapshot that holds exactly the records before the cut, or it would apply some twice): a
 * channel that delivered barrier n is blocked until every channel delivered n; the snapshot is then taken and all
 * channels unblock, so the snapshot contains exactly the records before the cut.
 * UNALIGNED (at-least-once, "barrier tracking"): no channel is blocked; the snapshot is taken when the last barrier n
 * arrives, so it may include records after the cut of faster channels (which are replayed: duplicates, no loss).
 * An at-least-once job takes ALIGNED snapshots when a sink asks for them ({@code Sink.needsAlignedSnapshots()}) or the
 * pipeline does ({@code Pipeline.alignedSnapshots(true)}): its state then never holds a record twice after a restore.
 *
 * <p>States: IDLE (no checkpoint pending) and PENDING(id, seen channels). A barrier for a newer id while PENDING
 * abandons the older checkpoint (it cannot complete; the coordinator times it out).
 */
public final class BarrierHandler {
  /** Whether channels are blocked during alignment. */
  public enum Mode {
    ALIGNED,
    UNALIGNED;

    /** The mode a guarantee needs: only AT_LEAST_ONCE may snapshot records after the cut. */
    public static Mode of(Guarantee guarantee) {
      return of(guarantee, false);
    }

    /**
     * The mode of a job under {@code guarantee}; {@code alignAtLeastOnce} makes AT_LEAST_ONCE aligned too (a sink or
     * the pipeline asked for snapshots consistent with the source positions).
     */
    public static Mode of(Guarantee guarantee, boolean alignAtLeastOnce) {
      return guarantee == Guarantee.AT_LEAST_ONCE && !alignAtLeastOnce ? UNALIGNED : ALIGNED;
    }
  }

  private final Mode mode;
  private final boolean[] blocked;
  private final boolean[] seen;
  private long pendingId = -1;
  private long lastTriggeredId = -1;
  private int seenCount;

  /** Creates a handler for {@code channels} input channels. */
  public BarrierHandler(Mode mode, int channels) {
    this.mode = mode;
    this.blocked = new boolean[channels];
    this.seen = new boolean[channels];
  }

  /** The per-channel blocked flags; the input gate skips blocked channels. Owned by the consumer thread. */
  public boolean[] blocked() {
    return blocked;
  }

  /** True while a checkpoint is pending (some but not all barriers seen). */
  public boolean isPending() {
    return seenCount > 0;
  }

  /**
   * Records barrier {@code id} from {@code channel}.
   *
   * @return true if the snapshot for {@code id} must be taken now (all channels delivered it)
   */
  public boolean onBarrier(int channel, long id) {
    if (id <= lastTriggeredId) {
      return false; // late barrier of an abandoned checkpoint: nothing to do
    }
    if (id > pendingId) {
      if (seenCount > 0) {
        reset(); // the older checkpoint can never align now
      }
      pendingId = id;
    } else if (id < pendingId) {
      return false;
    }
    if (seen[channel]) {
      throw new IllegalStateException(
          "channel " + channel + " delivered barrier " + id + " twice: channels must be FIFO");
    }
    seen[channel] = true;
    seenCount++;
    if (seenCount == seen.length) {
      reset();
      lastTriggeredId = id;
      return true;
    }
    if (mode == Mode.ALIGNED) {
      blocked[channel] = true;
    }
    return false;
  }

  private void reset() {
    Arrays.fill(seen, false);
    Arrays.fill(blocked, false);
    seenCount = 0;
  }
}
