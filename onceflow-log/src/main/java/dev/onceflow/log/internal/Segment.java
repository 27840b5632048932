package dev.onceflow.log.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One segment file of a partition, named by its base offset. Appends go through a {@link RandomAccessFile} and
 * forces through its file descriptor: unlike a {@code FileChannel}, neither is closed when the calling thread is
 * interrupted, so a cancelled task can never break the log for everyone else. Reads use a separate positional
 * channel that is reopened if an interrupt closes it.
 *
 * <p>The offset index is sparse ({@link #INDEX_INTERVAL_BYTES}) and lives in memory only: it is rebuilt by the scan
 * on open, which has to read every batch anyway to validate it.
 */
final class Segment {
  static final int INDEX_INTERVAL_BYTES = 4096;
  static final String SUFFIX = ".seg";

  final Path path;
  final long baseOffset;
  private RandomAccessFile writer;
  private volatile FileChannel reader;
  /** Bytes of complete batches; written after the bytes, so a reader never sees a partial batch below it. */
  private volatile long size;
  private volatile long nextOffset;
  private volatile long maxTimestamp = Long.MIN_VALUE;
  private long lastIndexedPosition = -INDEX_INTERVAL_BYTES;
  private long[] indexOffsets = new long[16];
  private long[] indexPositions = new long[16];
  private volatile int indexCount;
  private boolean sealed;

  private Segment(Path path, long baseOffset) {
    this.path = path;
    this.baseOffset = baseOffset;
    this.nextOffset = baseOffset;
  }

  static String fileName(long baseOffset) {
    return String.format("%020d%s", baseOffset, SUFFIX);
  }

  static Segment create(Path dir, long baseOffset) throws IOException {
    Segment s = new Segment(dir.resolve(fileName(baseOffset)), baseOffset);
    s.writer = new RandomAccessFile(s.path.toFile(), "rw");
    s.reader = FileChannel.open(s.path, StandardOpenOption.READ);
    return s;
  }

  /**
   * Opens an existing file for scanning; {@link #recovered} sets its state once scanned. Read-only: without a write
   * handle, so nothing can change the file.
   */
  static Segment openExisting(Path path, long baseOffset, boolean readOnly) throws IOException {
    Segment s = new Segment(path, baseOffset);
    if (!readOnly) {
      s.writer = new RandomAccessFile(path.toFile(), "rw");
    }
    s.reader = FileChannel.open(path, StandardOpenOption.READ);
    return s;
  }

  /** A read-only log's stand-in for a partition without segment files: empty, never read or written. */
  static Segment emptyReadOnly(Path dir, long baseOffset) {
    Segment s = new Segment(dir.resolve(fileName(baseOffset)), baseOffset);
    s.sealed = true;
    return s;
  }

  long fileSize() throws IOException {
    return writer != null ? writer.length() : Files.size(path);
  }

  /** After the scan: truncates to the valid size if needed and positions the writer at the end. */
  void recovered(long validSize, long next) throws IOException {
    if (writer != null) {
      if (writer.length() != validSize) {
        writer.setLength(validSize);
      }
      writer.seek(validSize);
    }
    this.size = validSize;
    this.nextOffset = next;
  }

  /** Called by the scan and by appends, in file order. */
  void indexBatch(long batchBaseOffset, long position, long batchMaxTimestamp) {
    if (batchMaxTimestamp > maxTimestamp) {
      maxTimestamp = batchMaxTimestamp;
    }
    if (position - lastIndexedPosition < INDEX_INTERVAL_BYTES) {
      return;
    }
    synchronized (this) {
      int n = indexCount;
      if (n == indexOffsets.length) {
        indexOffsets = Arrays.copyOf(indexOffsets, n * 2);
        indexPositions = Arrays.copyOf(indexPositions, n * 2);
      }
      indexOffsets[n] = batchBaseOffset;
      indexPositions[n] = position;
      indexCount = n + 1;
    }
    lastIndexedPosition = position;
  }

  /** File position of a batch starting at or before {@code offset} (0 if none is indexed). */
  synchronized long lookup(long offset) {
    int lo = 0;
    int hi = indexCount - 1;
    long pos = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (indexOffsets[mid] <= offset) {
        pos = indexPositions[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return pos;
  }

  /** Appends a complete batch (caller holds the partition's append lock). */
  void append(ByteBuffer batch, long batchBaseOffset, long next, long batchMaxTimestamp) throws IOException {
    long pos = size;
    writer.write(batch.array(), batch.arrayOffset(), batch.limit());
    indexBatch(batchBaseOffset, pos, batchMaxTimestamp);
    nextOffset = next;
    size = pos + batch.limit();
  }

  /** Forces appended bytes to disk (fsync). A no-op once sealed (sealing forced it). */
  synchronized void sync() throws IOException {
    if (!sealed) {
      writer.getFD().sync();
    }
  }

  /** Test hook: closes the write handle behind the segment's back so that the next force fails like a bad disk. */
  synchronized void breakWriterForTest() throws IOException {
    writer.close();
  }

  /** Makes the segment read-only, forcing it first if {@code force}; returns whether it forced. */
  synchronized boolean seal(boolean force) throws IOException {
    if (sealed) {
      return false;
    }
    boolean forced = false;
    if (writer != null) {
      if (force) {
        writer.getFD().sync();
        forced = true;
      }
      writer.close();
      writer = null;
    }
    sealed = true;
    return forced;
  }

  synchronized boolean isSealed() {
    return sealed;
  }

  /** Reads up to dst.remaining() bytes at {@code position}; returns bytes read. */
  int read(ByteBuffer dst, long position) throws IOException {
    while (true) {
      FileChannel ch = reader;
      try {
        int total = 0;
        while (dst.hasRemaining()) {
          int n = ch.read(dst, position + total);
          if (n < 0) {
            break;
          }
          total += n;
        }
        return total;
      } catch (ClosedByInterruptException e) {
        reopenReader(ch);
        throw e;
      }
    }
  }

  private synchronized void reopenReader(FileChannel closed) throws IOException {
    if (reader == closed && Files.exists(path)) {
      reader = FileChannel.open(path, StandardOpenOption.READ);
    }
  }

  long size() {
    return size;
  }

  long nextOffset() {
    return nextOffset;
  }

  long maxTimestamp() {
    return maxTimestamp;
  }

  /** Closes both handles (after a clean shutdown or before deletion). */
  synchronized void close() throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
    }
    sealed = true;
    if (reader != null) {
      reader.close();
    }
  }

  void delete() throws IOException {
    close();
    Files.deleteIfExists(path);
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
