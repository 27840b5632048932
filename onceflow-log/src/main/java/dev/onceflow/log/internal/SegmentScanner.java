package dev.onceflow.log.internal;

import dev.onceflow.log.CorruptLogException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * The recovery scan of a partition's segments on open. Every batch is validated (length, magic, CRC32C, offset
 * continuity) and replayed into the partition's index, producer state and transaction index. A torn write can only
 * damage the end of the last segment: an invalid batch there with no valid batch anywhere after it is a torn tail, and
 * the file is truncated there (the number of bytes dropped is logged; a read-only open only ignores it). An invalid
 * batch followed by a valid one, or one in a sealed segment, is corruption: a {@link CorruptLogException} naming the
 * file and position, and nothing is truncated (the batches after it were acknowledged).
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
      long valid = nextValidBatch(seg, pos + 1, fileSize);
      if (valid >= 0) {
        throw new CorruptLogException("corrupt batch in the active segment " + seg.path + " at byte position " + pos
            + ": " + problem + ", followed by a valid batch at byte position " + valid + ": a torn write only damages"
            + " the end, so this is corruption and the batches after it were acknowledged. Nothing was truncated."
            + " Restore the segment from a backup; to accept losing everything from byte " + pos + " on, truncate it"
            + " there deliberately (truncate -s " + pos + " " + seg.path + ")");
      }
      LogContext.LOGGER.log(Level.WARNING, "Recovery of {0}: {5} torn tail of {1}: {2} bytes at position"
          + " {3} ({4})", partition.tp, seg.path, Long.toString(fileSize - pos), Long.toString(pos), problem,
          partition.context().readOnly() ? "ignoring (read-only)" : "truncated, dropped");
    }
    seg.recovered(pos, expected);
    return expected;
  }

  /**
   * The file position of the first valid batch (length, magic and CRC32C) starting in [from, fileSize), or -1. Every
   * byte position is a candidate, since the damaged length cannot say where the next batch starts; candidates are
   * rejected cheaply by length and magic before a CRC is computed.
   */
  private long nextValidBatch(Segment seg, long from, long fileSize) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK + BatchCodec.HEADER_SIZE);
    for (long base = from; base + BatchCodec.HEADER_SIZE <= fileSize; base += CHUNK) {
      chunk.clear();
      chunk.limit((int) Math.min(chunk.capacity(), fileSize - base));
      int got = seg.read(chunk, base);
      for (int i = 0; i < CHUNK && i + BatchCodec.HEADER_SIZE <= got; i++) {
        int len = chunk.getInt(i);
        if (len < BatchCodec.HEADER_SIZE - BatchCodec.LENGTH_FIELD || len > BatchCodec.MAX_BATCH_BYTES
            || base + i + BatchCodec.LENGTH_FIELD + (long) len > fileSize
            || chunk.get(i + BatchCodec.OFF_MAGIC) != BatchCodec.MAGIC) {
          continue;
        }
        if (i + BatchCodec.LENGTH_FIELD + len <= got) { // usually: check it in place
          if (BatchCodec.validate(chunk, i, got - i) == null) {
            return base + i;
          }
          continue;
        }
        ByteBuffer candidate = ByteBuffer.allocate(BatchCodec.LENGTH_FIELD + len);
        int n = seg.read(candidate, base + i);
        if (BatchCodec.validate(candidate, 0, n) == null) {
          return base + i;
        }
      }
    }
    return -1;
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
