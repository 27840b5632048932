package dev.onceflow.log.internal;

import dev.onceflow.log.Header;
import dev.onceflow.log.Headers;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.UnsupportedLogFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The on-disk record batch format (see onceflow-log/README.md for the byte layout). All integers big-endian.
 *
 * <pre>
 *  0 int32 length          bytes after this field (whole batch = 4 + length)
 *  4 int8  magic           1
 *  5 int32 crc             CRC32C of bytes [9, 4 + length)
 *  9 int64 baseOffset
 * 17 int32 recordCount
 * 21 int64 firstTimestamp
 * 29 int64 maxTimestamp
 * 37 int64 producerId      -1 for plain producers
 * 45 int16 producerEpoch
 * 47 int32 baseSequence    -1 for plain producers
 * 51 int16 attributes      bit 0 transactional, bit 1 control
 * 53 records...
 * </pre>
 */
final class BatchCodec {
  static final byte MAGIC = 1;
  static final int HEADER_SIZE = 53;
  static final int LENGTH_FIELD = 4;
  static final int OFF_MAGIC = 4;
  static final int OFF_CRC = 5;
  static final int OFF_BASE_OFFSET = 9;
  static final int OFF_COUNT = 17;
  static final int OFF_FIRST_TS = 21;
  static final int OFF_MAX_TS = 29;
  static final int OFF_PID = 37;
  static final int OFF_EPOCH = 45;
  static final int OFF_SEQ = 47;
  static final int OFF_ATTRS = 51;
  static final short ATTR_TRANSACTIONAL = 1;
  static final short ATTR_CONTROL = 2;
  /** Largest batch accepted; anything larger in a length field is corruption. */
  static final int MAX_BATCH_BYTES = 64 << 20;

  static final short CONTROL_VERSION = 0;
  static final short CONTROL_ABORT = 0;
  static final short CONTROL_COMMIT = 1;

  private BatchCodec() {}

  /** Encodes records into a batch whose offset, producer fields, attributes and CRC are filled in at append. */
  static ByteBuffer encode(List<ProducerRecord> records) {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one record");
    }
    int size = HEADER_SIZE;
    long firstTs = records.get(0).timestamp();
    long maxTs = firstTs;
    for (ProducerRecord r : records) {
      size += recordSize(r);
      maxTs = Math.max(maxTs, r.timestamp());
    }
    if (size > MAX_BATCH_BYTES) {
      throw new IllegalArgumentException("batch of " + size + " bytes exceeds the limit of " + MAX_BATCH_BYTES
          + "; send fewer or smaller records per batch");
    }
    ByteBuffer buf = ByteBuffer.allocate(size);
    buf.putInt(0, size - LENGTH_FIELD);
    buf.put(OFF_MAGIC, MAGIC);
    buf.putInt(OFF_COUNT, records.size());
    buf.putLong(OFF_FIRST_TS, firstTs);
    buf.putLong(OFF_MAX_TS, maxTs);
    buf.putLong(OFF_PID, -1L);
    buf.putInt(OFF_SEQ, -1);
    buf.position(HEADER_SIZE);
    for (ProducerRecord r : records) {
      buf.putLong(r.timestamp());
      putBytes(buf, r.key());
      putBytes(buf, r.value());
      List<Header> hs = r.headers().asList();
      buf.putInt(hs.size());
      for (Header h : hs) {
        putBytes(buf, h.key().getBytes(StandardCharsets.UTF_8));
        putBytes(buf, h.value());
      }
    }
    buf.flip();
    return buf;
  }

  /** A control batch (transaction marker): one record, key = (version, type), value = (txnSeq, first, last). */
  static ByteBuffer encodeControl(boolean commit, long txnSeq, long firstOffset, long lastOffset, long timestamp) {
    ByteBuffer key = ByteBuffer.allocate(4).putShort(CONTROL_VERSION).putShort(commit ? CONTROL_COMMIT : CONTROL_ABORT);
    ByteBuffer value = ByteBuffer.allocate(24).putLong(txnSeq).putLong(firstOffset).putLong(lastOffset);
    ByteBuffer buf = encode(List.of(new ProducerRecord(key.array(), value.array(), timestamp, Headers.empty())));
    buf.putShort(OFF_ATTRS, ATTR_CONTROL);
    return buf;
  }

  /** Fills in the append-time fields and the CRC. */
  static void seal(ByteBuffer batch, long baseOffset, long pid, short epoch, int baseSeq, short attributes) {
    batch.putLong(OFF_BASE_OFFSET, baseOffset);
    batch.putLong(OFF_PID, pid);
    batch.putShort(OFF_EPOCH, epoch);
    batch.putInt(OFF_SEQ, baseSeq);
    batch.putShort(OFF_ATTRS, (short) (batch.getShort(OFF_ATTRS) | attributes));
    batch.putInt(OFF_CRC, crc(batch, 0, batch.limit()));
  }

  /** CRC32C over [start + 9, start + batchSize) of {@code buf}. */
  static int crc(ByteBuffer buf, int start, int batchSize) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = buf.duplicate();
    view.limit(start + batchSize).position(start + OFF_BASE_OFFSET);
    crc.update(view);
    return (int) crc.getValue();
  }

  /**
   * Why a batch at {@code start} of {@code buf} (with {@code available} bytes readable from start) is invalid, or null
   * if it is valid. Checks length, magic and CRC.
   */
  static String validate(ByteBuffer buf, int start, long available) {
    if (available < HEADER_SIZE) {
      return "short header (" + available + " bytes)";
    }
    int length = buf.getInt(start);
    if (length < HEADER_SIZE - LENGTH_FIELD || length > MAX_BATCH_BYTES) {
      return "bad length " + length;
    }
    if (LENGTH_FIELD + (long) length > available) {
      return "short batch (length " + length + ", " + (available - LENGTH_FIELD) + " bytes present)";
    }
    if (buf.get(start + OFF_MAGIC) != MAGIC) {
      return "bad magic " + buf.get(start + OFF_MAGIC);
    }
    int stored = buf.getInt(start + OFF_CRC);
    int actual = crc(buf, start, LENGTH_FIELD + length);
    if (stored != actual) {
      return "CRC mismatch (stored " + Integer.toHexString(stored) + ", computed " + Integer.toHexString(actual) + ")";
    }
    return null;
  }

  static boolean isTransactional(short attrs) {
    return (attrs & ATTR_TRANSACTIONAL) != 0;
  }

  static boolean isControl(short attrs) {
    return (attrs & ATTR_CONTROL) != 0;
  }

  /**
   * Decodes the records of a valid data batch at {@code start} whose offsets are in [fromOffset, toOffset), at most
   * {@code max} of them, into {@code out}. Returns the number added.
   */
  static int decode(ByteBuffer buf, int start, String topic, int partition, long fromOffset, long toOffset, int max,
      List<LogRecord> out) {
    long base = buf.getLong(start + OFF_BASE_OFFSET);
    int count = buf.getInt(start + OFF_COUNT);
    int pos = start + HEADER_SIZE;
    int added = 0;
    for (int i = 0; i < count && added < max; i++) {
      long offset = base + i;
      long ts = buf.getLong(pos);
      pos += 8;
      int keyLen = buf.getInt(pos);
      pos += 4;
      int keyPos = pos;
      pos += Math.max(keyLen, 0);
      int valueLen = buf.getInt(pos);
      pos += 4;
      int valuePos = pos;
      pos += Math.max(valueLen, 0);
      int headerCount = buf.getInt(pos);
      pos += 4;
      int headersPos = pos;
      for (int h = 0; h < headerCount; h++) {
        int kl = buf.getInt(pos);
        pos += 4 + kl;
        int vl = buf.getInt(pos);
        pos += 4 + Math.max(vl, 0);
      }
      if (offset < fromOffset) {
        continue;
      }
      if (offset >= toOffset) {
        break;
      }
      out.add(new LogRecord(topic, partition, offset, ts, copy(buf, keyPos, keyLen), copy(buf, valuePos, valueLen),
          headerCount == 0 ? Headers.empty() : decodeHeaders(buf, headersPos, headerCount)));
      added++;
    }
    return added;
  }

  /**
   * The marker fields (type, txnSeq, first, last) of a valid control batch at {@code start}.
   *
   * @throws UnsupportedLogFormatException if the marker's key version is not 0 (a newer format)
   */
  static long[] decodeControl(ByteBuffer buf, int start) {
    int pos = start + HEADER_SIZE + 8;
    int keyLen = buf.getInt(pos);
    pos += 4;
    short version = buf.getShort(pos);
    if (version != CONTROL_VERSION) {
      throw new UnsupportedLogFormatException("transaction marker at offset " + buf.getLong(start + OFF_BASE_OFFSET)
          + " has version " + version + "; this Onceflow reads version " + CONTROL_VERSION + ". Open the directory"
          + " with the version that wrote it");
    }
    short type = buf.getShort(pos + 2);
    pos += keyLen;
    pos += 4; // value length (24)
    return new long[] {type, buf.getLong(pos), buf.getLong(pos + 8), buf.getLong(pos + 16)};
  }

  private static Headers decodeHeaders(ByteBuffer buf, int pos, int count) {
    List<Header> hs = new ArrayList<>(count);
    for (int h = 0; h < count; h++) {
      int kl = buf.getInt(pos);
      pos += 4;
      String key = new String(copy(buf, pos, kl), StandardCharsets.UTF_8);
      pos += kl;
      int vl = buf.getInt(pos);
      pos += 4;
      hs.add(new Header(key, copy(buf, pos, vl)));
      pos += Math.max(vl, 0);
    }
    return Headers.of(hs);
  }

  private static byte[] copy(ByteBuffer buf, int pos, int len) {
    if (len < 0) {
      return null;
    }
    byte[] b = new byte[len];
    buf.get(pos, b);
    return b;
  }

  private static int recordSize(ProducerRecord r) {
    int size = 8 + 4 + len(r.key()) + 4 + len(r.value()) + 4;
    for (Header h : r.headers().asList()) {
      size += 4 + h.key().getBytes(StandardCharsets.UTF_8).length + 4 + len(h.value());
    }
    return size;
  }

  private static int len(byte[] b) {
    return b == null ? 0 : b.length;
  }

  private static void putBytes(ByteBuffer buf, byte[] b) {
    if (b == null) {
      buf.putInt(-1);
    } else {
      buf.putInt(b.length);
      buf.put(b);
    }
  }
}
