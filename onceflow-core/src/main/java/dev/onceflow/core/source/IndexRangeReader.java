package dev.onceflow.core.source;

import java.nio.ByteBuffer;

/** A reader over the index range [from, to) of an indexed sequence; position = next index as 8 bytes. */
abstract class IndexRangeReader<T> implements SourceReader<T> {
  private final long to;
  private long next;

  IndexRangeReader(SourceContext ctx, long count) {
    long from = count * ctx.subtask() / ctx.parallelism();
    this.to = count * (ctx.subtask() + 1) / ctx.parallelism();
    this.next = ctx.restoredPosition().map(b -> ByteBuffer.wrap(b).getLong()).orElse(from);
    if (next < from || next > to) {
      throw new IllegalStateException(
          "restored position " + next + " is outside this subtask's range [" + from + ", " + to
              + "): the checkpoint belongs to a different source or parallelism");
    }
  }

  abstract void emit(long index, SourceOutput<T> out);

  @Override
  public final ReadStatus poll(SourceOutput<T> output, int maxRecords) {
    long end = Math.min(to, next + maxRecords);
    for (long i = next; i < end; i++) {
      emit(i, output);
    }
    next = end;
    return next >= to ? ReadStatus.END_OF_INPUT : ReadStatus.MORE_AVAILABLE;
  }

  @Override
  public final boolean hasReached(byte[] position) {
    return next >= ByteBuffer.wrap(position).getLong();
  }

  @Override
  public final byte[] snapshotPosition() {
    return ByteBuffer.allocate(8).putLong(next).array();
  }
}
