package dev.onceflow.core.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Durable at-most-once source positions of one source subtask. Positions are committed here (fsync) BEFORE the
 * records read up to them are processed. Two slot files are written alternately, each holding (sequence, flags,
 * length, position bytes, CRC32C): a torn write damages only the slot being written, and the other slot still holds
 * the previous position. One fsync per commit, no rename; the source task commits a reservation (the position of
 * what it read ahead, not yet processed) from a committer thread of its own, so a commit covers many batches and its
 * fsync runs while earlier records are processed. Not thread-safe: one writer at a time. Flag bit 0 records that the subtask reached the end of its
 * input and is about to flush what end of input completes (windows, timers): that output must not happen twice.
 *
 * <p>Flag bit 2 marks the slot layout that also carries the subtask's watermark state (8-byte watermark before the
 * position bytes; flag bit 1 = idle): the watermark a subtask is about to emit (or its going idle) is committed before
 * it is emitted, so the replay after a failure can end at least as far as the watermark that fired windows before
 * it. Slots without bit 2 (written before the watermark was committed) read as watermark Long.MIN_VALUE, not idle.
 */
public final class PositionStore implements AutoCloseable {
  static final int VERSION = 1;
  private final FileChannel[] slots = new FileChannel[2];
  private final Path[] paths = new Path[2];
  private long sequence;

  /** Opens the store of {@code name} under {@code dir}. */
  public PositionStore(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    boolean created = false;
    for (int i = 0; i < 2; i++) {
      Path p = dir.resolve(name + (i == 0 ? ".a" : ".b"));
      paths[i] = p;
      created |= !Files.exists(p);
      slots[i] = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    if (created) {
      DurableFiles.forceDirectory(dir);
    }
    Slot a = read(slots[0], paths[0]);
    Slot b = read(slots[1], paths[1]);
    sequence = Math.max(a == null ? 0 : a.seq, b == null ? 0 : b.seq);
  }

  /**
   * A committed position.
   *
   * @param position the source position, as the reader's {@code snapshotPosition()} returned it
   * @param endOfInput the subtask had reached the end of its input and was flushing it
   * @param watermark the highest watermark the subtask may have emitted at this position (Long.MAX_VALUE: end of
   *     input reached), Long.MIN_VALUE if none or not recorded
   * @param idle the subtask may have marked itself idle at this position
   */
  public record Committed(byte[] position, boolean endOfInput, long watermark, boolean idle) {
    /** A commit without watermark state. */
    public Committed(byte[] position, boolean endOfInput) {
      this(position, endOfInput, Long.MIN_VALUE, false);
    }
  }

  /** The last committed position, if any. */
  public Optional<Committed> load() throws IOException {
    Slot a = read(slots[0], paths[0]);
    Slot b = read(slots[1], paths[1]);
    Slot best = a == null ? b : b == null ? a : (a.seq >= b.seq ? a : b);
    if (best == null) {
      return Optional.empty();
    }
    boolean endOfInput = (best.flags & END_OF_INPUT) != 0;
    if ((best.flags & WITH_WATERMARK) == 0) {
      return Optional.of(new Committed(best.position, endOfInput));
    }
    if (best.position.length < 8) {
      throw new IOException("corrupt at-most-once position slot: flags " + best.flags + " announce a watermark but "
          + "only " + best.position.length + " bytes follow");
    }
    ByteBuffer payload = ByteBuffer.wrap(best.position);
    long watermark = payload.getLong();
    byte[] position = new byte[payload.remaining()];
    payload.get(position);
    return Optional.of(new Committed(position, endOfInput, watermark, (best.flags & IDLE) != 0));
  }

  /** Durably commits {@code position}; returns after fsync. */
  public void commit(byte[] position) throws IOException {
    commit(position, false);
  }

  /** Durably commits {@code position}, with the end-of-input flag; returns after fsync. */
  public void commit(byte[] position, boolean endOfInput) throws IOException {
    long seq = ++sequence;
    ByteBuffer buf = ByteBuffer.allocate(HEADER + position.length + 4);
    buf.putLong(seq).putInt(VERSION << 24 | (endOfInput ? END_OF_INPUT : 0)).putInt(position.length).put(position);
    write(seq, buf);
  }

  /**
   * Durably commits {@code position} with the end-of-input flag and the subtask's watermark state (see {@link
   * Committed}); returns after fsync.
   */
  public void commit(byte[] position, boolean endOfInput, long watermark, boolean idle) throws IOException {
    long seq = ++sequence;
    int flags = WITH_WATERMARK | (endOfInput ? END_OF_INPUT : 0) | (idle ? IDLE : 0);
    ByteBuffer buf = ByteBuffer.allocate(HEADER + 8 + position.length + 4);
    buf.putLong(seq).putInt(VERSION << 24 | flags).putInt(8 + position.length).putLong(watermark).put(position);
    write(seq, buf);
  }

  private static final int END_OF_INPUT = 1;
  private static final int IDLE = 2;
  private static final int WITH_WATERMARK = 4;

  private void write(long seq, ByteBuffer buf) throws IOException {
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    buf.flip();
    FileChannel ch = slots[(int) (seq & 1)];
    ch.truncate(buf.remaining());
    ch.write(buf, 0);
    ch.force(false);
  }

  private static final int HEADER = 8 + 4 + 4;

  private record Slot(long seq, int flags, byte[] position) {}

  private static Slot read(FileChannel ch, Path path) throws IOException {
    long size = ch.size();
    if (size < HEADER + 4 || size > (1 << 20)) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size);
    while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
      // read fully
    }
    buf.flip();
    long seq = buf.getLong();
    int flags = buf.getInt();
    int len = buf.getInt();
    if (len < 0 || len + HEADER + 4 != size) {
      return null;
    }
    byte[] pos = new byte[len];
    buf.get(pos);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, HEADER + len);
    if ((int) crc.getValue() != buf.getInt()) {
      return null; // torn write: the other slot holds the previous position
    }
    int version = flags >>> 24;
    if (version > VERSION) {
      throw new IOException(path + " holds an at-most-once position of slot version " + version + "; this Onceflow"
          + " reads versions 0 to " + VERSION + " (written by a newer Onceflow? run that version on this directory)");
    }
    return new Slot(seq, flags & 0xFFFFFF, pos);
  }

  @Override
  public void close() throws IOException {
    for (FileChannel ch : slots) {
      ch.close();
    }
  }
}
