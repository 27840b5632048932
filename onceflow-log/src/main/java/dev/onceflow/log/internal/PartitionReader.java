package dev.onceflow.log.internal;

import dev.onceflow.log.CorruptLogException;
import dev.onceflow.log.LogException;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.OffsetOutOfRangeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Map;

/**
 * Reads batches of a partition for one consumer, with a reusable buffer (one positional read per chunk, not per
 * record). Every batch read is CRC-checked: corruption is an exception, never served.
 */
final class PartitionReader {
  private static final int CHUNK = 256 << 10;

  private ByteBuffer buf = ByteBuffer.allocate(CHUNK);
  private final boolean failOnDeletedPositions;

  /** A reader; {@code failOnDeletedPositions}: a position below the start offset throws instead of moving up. */
  PartitionReader(boolean failOnDeletedPositions) {
    this.failOnDeletedPositions = failOnDeletedPositions;
  }

  /** Moves a position below the start offset up to it, or throws if this reader must not skip deleted records. */
  long checkPosition(PartitionLog part, long position) {
    long start = part.startOffset();
    if (position >= start) {
      return position;
    }
    if (failOnDeletedPositions) {
      throw new OffsetOutOfRangeException("position " + position + " of " + part.tp + " is below its start offset "
          + start + ": retention deleted the records in [" + position + ", " + start + ") before they were read."
          + " Seek to the start offset to accept the loss, or restore the deleted segments", part.tp, position,
          start);
    }
    return start;
  }

  /**
   * Reads records at or after {@code position} below the limit (end offset, or last stable offset for
   * read-committed) into {@code out}, at most {@code max}. Returns the new position (past skipped markers and
   * aborted data too).
   */
  long read(PartitionLog part, long position, int max, boolean readCommitted, List<LogRecord> out) {
    for (int attempt = 0; ; attempt++) {
      try {
        return readOnce(part, position, max, readCommitted, out);
      } catch (ClosedByInterruptException e) {
        Thread.currentThread().interrupt();
        return position; // the caller was interrupted: return what we have, keep the interrupt
      } catch (ClosedChannelException e) {
        // retention deleted the segment under us: continue from the new start
        part.context().check();
        if (attempt > 3) {
          throw new LogException("reading " + part.tp + " failed repeatedly: " + e, e);
        }
        position = checkPosition(part, position);
      } catch (IOException e) {
        throw new LogException("reading " + part.tp + " failed: " + e, e);
      }
    }
  }

  private long readOnce(PartitionLog part, long position, int max, boolean readCommitted, List<LogRecord> out)
      throws IOException {
    long limit = readCommitted ? part.lastStableOffset() : part.endOffset();
    position = checkPosition(part, position);
    int startSize = out.size();
    while (position < limit && out.size() - startSize < max) {
      Map.Entry<Long, Segment> e = part.segments.floorEntry(position);
      if (e == null) {
        return position;
      }
      Segment seg = e.getValue();
      long filePos = seg.lookup(position);
      boolean more = true;
      while (more) {
        long segSize = seg.size();
        if (filePos >= segSize) {
          break;
        }
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), segSize - filePos));
        int got = seg.read(buf, filePos);
        int p = 0;
        while (p + BatchCodec.HEADER_SIZE <= got) {
          int len = buf.getInt(p);
          // Below seg.size() there are only complete batches (size moves after the bytes are written), so a length
          // reaching past it is corruption, not a batch still being written: never wait (or spin) for it to appear.
          if (len < BatchCodec.HEADER_SIZE - BatchCodec.LENGTH_FIELD || len > BatchCodec.MAX_BATCH_BYTES
              || filePos + p + BatchCodec.LENGTH_FIELD + (long) len > segSize) {
            if (out.size() > startSize) {
              return position; // hand out the valid records before it; the next read starts here and throws
            }
            throw corrupt(seg, filePos + p, "bad length " + len + " (the batch would end at byte "
                + (filePos + p + BatchCodec.LENGTH_FIELD + (long) len) + ", past the last complete batch at byte "
                + segSize + ")");
          }
          if (BatchCodec.LENGTH_FIELD + len > got - p) {
            if (p == 0) {
              buf = ByteBuffer.allocate(BatchCodec.LENGTH_FIELD + len);
            }
            break;
          }
          String problem = BatchCodec.validate(buf, p, got - p);
          if (problem != null) {
            if (out.size() > startSize) {
              return position;
            }
            throw corrupt(seg, filePos + p, problem);
          }
          long base = buf.getLong(p + BatchCodec.OFF_BASE_OFFSET);
          int count = buf.getInt(p + BatchCodec.OFF_COUNT);
          long end = base + count;
          if (base >= limit) {
            return position;
          }
          if (end > position) {
            short attrs = buf.getShort(p + BatchCodec.OFF_ATTRS);
            long pid = buf.getLong(p + BatchCodec.OFF_PID);
            boolean skip = BatchCodec.isControl(attrs)
                || (readCommitted && BatchCodec.isTransactional(attrs) && part.txns.isAborted(pid, base));
            if (skip) {
              position = end;
            } else {
              int room = max - (out.size() - startSize);
              int n = BatchCodec.decode(buf, p, part.tp.topic(), part.tp.partition(), position, limit, room, out);
              position = n == 0 ? end : out.get(out.size() - 1).offset() + 1;
              if (n > 0 && position < end) {
                return position; // out of room inside this batch
              }
            }
            if (out.size() - startSize >= max) {
              return position;
            }
          }
          p += BatchCodec.LENGTH_FIELD + len;
        }
        if (p == 0 && got < BatchCodec.HEADER_SIZE) {
          throw corrupt(seg, filePos, "short batch below the end offset");
        }
        filePos += p;
      }
      Map.Entry<Long, Segment> next = part.segments.higherEntry(seg.baseOffset);
      if (next == null || position < seg.nextOffset()) {
        return position;
      }
      position = Math.max(position, next.getKey());
    }
    return position;
  }

  private static CorruptLogException corrupt(Segment seg, long pos, String problem) {
    return new CorruptLogException("corrupt batch in " + seg.path + " at byte position " + pos + ": " + problem
        + "; it is not served. Restore the segment from a backup");
  }
}
