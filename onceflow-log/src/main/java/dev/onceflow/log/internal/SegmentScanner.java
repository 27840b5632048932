package dev.onceflow.log.internal;

import dev.onceflow.log.CorruptLogException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * The recovery scan of a partition's segments on open. Every batch is validated (length, magic, CRC32C, offset
 * continuity) and replayed into the partition's index, producer state and transaction index. The first invalid
 * batch of the last segment starts a torn tail: the file is truncated there and the number of bytes dropped is
 * logged. An invalid batch anywhere else is a {@link CorruptLogException} naming the file and position.
 */
final class SegmentScanner {
  private static final int CHUNK = 1 << 20;

  private final PartitionLog partition;
  private ByteBuffer buf = ByteBuffer.allocate(CHUNK);

  SegmentScanner(PartitionLog partition) {
    this.partition = partition;
  }

  /** Scans one segment; returns its next offset. */
  long scan(Segment seg, boolean last) throws IOException {
    long fileSize = seg.fileSize();
    long expected = seg.baseOffset;
    long pos = 0;
    String problem = null;
    while (pos < fileSize) {
      buf.clear();
      int want = (int) Math.min(buf.capacity(), fileSize - pos);
      buf.limit(want);
      int got = seg.read(buf, pos);
      int p = 0;
      boolean grown = false;
      while (p < got) {
        int avail = got - p;
        long fileRemain = fileSize - pos - p;
        if (avail < fileRemain && avail < BatchCodec.HEADER_SIZE) {
          break; // the chunk ends inside a header: reread from here
        }
        if (avail >= 4) {
          int len = buf.getInt(p);
          if (len > BatchCodec.MAX_BATCH_BYTES || len < BatchCodec.HEADER_SIZE - BatchCodec.LENGTH_FIELD) {
            problem = "bad length " + len;
            break;
          }
          if (4 + len > avail && 4L + len <= fileRemain) {
            if (p == 0) {
              buf = ByteBuffer.allocate(4 + len); // a batch larger than the chunk
              grown = true;
            }
            break; // reread from this batch
          }
        }
        problem = BatchCodec.validate(buf, p, Math.min(avail, fileRemain));
        if (problem == null && buf.getLong(p + BatchCodec.OFF_BASE_OFFSET) != expected) {
          problem = "offset " + buf.getLong(p + BatchCodec.OFF_BASE_OFFSET) + " where " + expected + " was expected";
        }
        if (problem != null) {
          break;
        }
        expected = replay(seg, p, pos + p);
        p += BatchCodec.LENGTH_FIELD + buf.getInt(p);
      }
      pos += p;
      if (problem != null) {
        break;
      }
      if (p == 0 && !grown) {
        problem = "unreadable bytes";
        break;
      }
    }
    if (problem != null) {
      if (!last) {
        throw new CorruptLogException("corrupt batch in sealed segment " + seg.path + " at byte position " + pos + ": "
            + problem + ". The data there cannot be served; restore the segment from a backup, or delete it and the"
            + " segments after it deliberately");
      }
      LogContext.LOGGER.log(Level.WARNING, "Recovery of {0}: truncated torn tail of {1}: dropped {2} bytes at position"
          + " {3} ({4})", partition.tp, seg.path, Long.toString(fileSize - pos), Long.toString(pos), problem);
    }
    seg.recovered(pos, expected);
    return expected;
  }

  private long replay(Segment seg, int p, long filePos) {
    long base = buf.getLong(p + BatchCodec.OFF_BASE_OFFSET);
    int count = buf.getInt(p + BatchCodec.OFF_COUNT);
    long maxTs = buf.getLong(p + BatchCodec.OFF_MAX_TS);
    long pid = buf.getLong(p + BatchCodec.OFF_PID);
    short epoch = buf.getShort(p + BatchCodec.OFF_EPOCH);
    int seq = buf.getInt(p + BatchCodec.OFF_SEQ);
    short attrs = buf.getShort(p + BatchCodec.OFF_ATTRS);
    if (BatchCodec.isControl(attrs)) {
      long[] m = BatchCodec.decodeControl(buf, p);
      partition.recoveredMarker(pid, epoch, m[0] == BatchCodec.CONTROL_COMMIT, m[2], m[3]);
      seg.indexBatch(base, filePos, Long.MIN_VALUE);
    } else {
      partition.recoveredData(pid, epoch, seq, count, base, BatchCodec.isTransactional(attrs));
      seg.indexBatch(base, filePos, maxTs);
    }
    return base + count;
  }
}
