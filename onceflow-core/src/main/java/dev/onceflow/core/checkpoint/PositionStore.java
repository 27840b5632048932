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
 * records read up to them are processed. Two slot files are written alternately, each holding (sequence, length,
 * position bytes, CRC32C): a torn write damages only the slot being written, and the other slot still holds the
 * previous position. One fsync per batch, no rename.
 */
public final class PositionStore implements AutoCloseable {
  private final FileChannel[] slots = new FileChannel[2];
  private long sequence;

  /** Opens the store of {@code name} under {@code dir}. */
  public PositionStore(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    boolean created = false;
    for (int i = 0; i < 2; i++) {
      Path p = dir.resolve(name + (i == 0 ? ".a" : ".b"));
      created |= !Files.exists(p);
      slots[i] = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    if (created) {
      DurableFiles.forceDirectory(dir);
    }
    Slot a = read(slots[0]);
    Slot b = read(slots[1]);
    sequence = Math.max(a == null ? 0 : a.seq, b == null ? 0 : b.seq);
  }

  /** The last committed position, if any. */
  public Optional<byte[]> load() throws IOException {
    Slot a = read(slots[0]);
    Slot b = read(slots[1]);
    Slot best = a == null ? b : b == null ? a : (a.seq >= b.seq ? a : b);
    return best == null ? Optional.empty() : Optional.of(best.position);
  }

  /** Durably commits {@code position}; returns after fsync. */
  public void commit(byte[] position) throws IOException {
    long seq = ++sequence;
    ByteBuffer buf = ByteBuffer.allocate(8 + 4 + position.length + 4);
    buf.putLong(seq).putInt(position.length).put(position);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    buf.flip();
    FileChannel ch = slots[(int) (seq & 1)];
    ch.truncate(buf.remaining());
    ch.write(buf, 0);
    ch.force(false);
  }

  private record Slot(long seq, byte[] position) {}

  private static Slot read(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 16 || size > (1 << 20)) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size);
    while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
      // read fully
    }
    buf.flip();
    long seq = buf.getLong();
    int len = buf.getInt();
    if (len < 0 || len + 16 != size) {
      return null;
    }
    byte[] pos = new byte[len];
    buf.get(pos);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, 12 + len);
    return (int) crc.getValue() == buf.getInt() ? new Slot(seq, pos) : null;
  }

  @Override
  public void close() throws IOException {
    for (FileChannel ch : slots) {
      ch.close();
    }
  }
}
