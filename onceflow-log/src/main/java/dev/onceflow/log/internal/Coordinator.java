package dev.onceflow.log.internal;

import dev.onceflow.log.CorruptLogException;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionState;
import dev.onceflow.log.UnsupportedLogFormatException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * The durable coordinator state of a log: the producer-id counter, transactional ids (producer id, epoch),
 * transaction state changes and consumer-group offsets. Stored as an append-only file ({@code meta/coordinator.dat}:
 * a 5-byte header, int32 magic "OFCO" and int8 format version, then checksummed entries: int32 length, int32 CRC32C
 * of the payload, payload), replayed on open and compacted into a fresh file (temp, fsync, rename, fsync directory)
 * when it grows. A file without the header is format version 0 (round 1), read the same way.
 *
 * <p>Damage on open: a torn write can only damage the end, so an invalid entry with nothing valid after it is a torn
 * tail (truncated and logged); an invalid entry followed by any valid one is corruption ({@link CorruptLogException}
 * naming the file and byte position), and nothing is truncated: the entries after it were acknowledged.
 */
final class Coordinator {
  private static final byte PRODUCER_ID = 1;
  private static final byte EPOCH = 2;
  private static final byte TXN = 3;
  private static final byte GROUP = 4;
  private static final byte GROUP_DELETE = 5;
  static final int MAGIC = 0x4F46434F; // "OFCO"
  static final byte VERSION = 1;
  static final int HEADER_BYTES = 5;
  private static final long COMPACT_BYTES = 32 << 20;
  static final String FILE = "coordinator.dat";

  private final Path dir;
  private final LogContext ctx;
  /** Replaced only by compaction, which holds {@link #forceLock}: a forcer holding it syncs the current file. */
  private volatile RandomAccessFile file;
  private volatile long fileBytes;
  /**
   * Group commit of forced entries: an entry is written under the monitor, then forced outside it under this lock, so
   * a force never blocks an unforced append (a send's informative entry) and concurrent forced appends (the prepares
   * or commits of several sink subtasks) share one fsync. Lock order: the monitor, then this lock (never the monitor
   * while holding it).
   */
  private final java.util.concurrent.locks.ReentrantLock forceLock = new java.util.concurrent.locks.ReentrantLock();
  /** Bytes ever appended, across compactions (a logical position: what a force must cover). */
  private volatile long appendedBytes;
  /** The logical position up to which the file is forced. Written under {@link #forceLock}. */
  private volatile long durableBytes;
  private final java.util.concurrent.atomic.AtomicLong forces = new java.util.concurrent.atomic.AtomicLong();
  private long nextProducerId;
  final ConcurrentHashMap<String, TransactionalIdState> ids = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<TopicPartition, Long>> groups = new ConcurrentHashMap<>();

  private Coordinator(Path dir, LogContext ctx) {
    this.dir = dir;
    this.ctx = ctx;
  }

  static Coordinator open(Path dir, LogContext ctx) throws IOException {
    Coordinator c = new Coordinator(dir, ctx);
    Path f = dir.resolve(FILE);
    if (ctx.readOnly()) {
      // never create, truncate or force anything: replay what is there, ignoring (not cutting) a torn tail
      if (Files.exists(f)) {
        c.replayFile(f, Files.readAllBytes(f));
      }
      return c;
    }
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(FILE + ".tmp"));
    c.file = new RandomAccessFile(f.toFile(), "rw");
    byte[] all = new byte[(int) c.file.length()];
    c.file.readFully(all);
    int pos = c.replayFile(f, all);
    if (pos != all.length) {
      LogContext.LOGGER.log(Level.WARNING, "Recovery of {0}: truncated torn tail: dropped {1} bytes at position {2}",
          f, Integer.toString(all.length - pos), Integer.toString(pos));
      c.file.setLength(pos);
      if (ctx.forces()) {
        c.file.getFD().sync();
      }
    }
    if (pos == 0) {
      c.file.setLength(0);
      c.file.write(header());
      pos = HEADER_BYTES;
      if (ctx.forces()) {
        c.file.getFD().sync();
      }
    }
    c.file.seek(pos);
    c.fileBytes = pos;
    ctx.fsyncDirectory(dir);
    return c;
  }

  private static byte[] header() {
    return ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).put(VERSION).array();
  }

  /**
   * Replays the entries of the file's bytes; returns the end of the valid prefix (0 for an empty file or a torn
   * header). Throws if the damage is not a torn tail.
   */
  private int replayFile(Path f, byte[] all) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(all);
    int pos = 0;
    if (all.length >= 4 && buf.getInt(0) == MAGIC) {
      if (all.length < HEADER_BYTES) {
        return 0; // torn while writing the header of a new file: nothing was in it
      }
      byte version = all[4];
      if (version != VERSION) {
        throw new UnsupportedLogFormatException("coordinator file " + f + " has format version " + version + "; this"
            + " Onceflow reads version " + VERSION + " (and headerless version 0). Open the directory with the version"
            + " that wrote it");
      }
      pos = HEADER_BYTES;
    } else if (all.length < 4 && java.util.Arrays.equals(all, java.util.Arrays.copyOf(header(), all.length))) {
      return 0; // torn header
    }
    int index = 0;
    while (pos < all.length) {
      if (!validEntryAt(all, pos)) {
        int next = nextValidEntry(all, pos + 1);
        if (next >= 0) {
          throw new CorruptLogException("coordinator file " + f + " is corrupt at byte position " + pos + " (entry "
              + index + "): a valid entry follows at byte position " + next + ", so this is not a torn write and"
              + " the entries after it were acknowledged. Nothing was truncated. Restore the file from a backup; to"
              + " accept losing everything from byte " + pos + " on, truncate it there deliberately (truncate -s "
              + pos + " " + f + ")");
        }
        return pos;
      }
      int len = buf.getInt(pos);
      try {
        replay(new DataInputStream(new java.io.ByteArrayInputStream(all, pos + 8, len)));
      } catch (java.io.EOFException e) {
        throw new CorruptLogException("coordinator file " + f + ": entry " + index + " at byte position " + pos
            + " has a valid checksum but is too short for its type; restore the file from a backup", e);
      }
      pos += 8 + len;
      index++;
    }
    return pos;
  }

  private static boolean validEntryAt(byte[] all, int pos) {
    if (pos + 8 > all.length) {
      return false;
    }
    ByteBuffer buf = ByteBuffer.wrap(all);
    int len = buf.getInt(pos);
    if (len <= 0 || pos + 8L + len > all.length) {
      return false;
    }
    CRC32C crc = new CRC32C();
    crc.update(all, pos + 8, len);
    return (int) crc.getValue() == buf.getInt(pos + 4);
  }

  /** The byte position of the first valid entry at or after {@code from}, or -1: is there acknowledged data after? */
  private static int nextValidEntry(byte[] all, int from) {
    for (int q = from; q + 8 < all.length; q++) {
      if (validEntryAt(all, q)) {
        return q;
      }
    }
    return -1;
  }

  // ---- producer ids ----

  synchronized long allocateProducerId() {
    long pid = nextProducerId++;
    append(entry(out -> {
      out.writeByte(PRODUCER_ID);
      out.writeLong(nextProducerId);
    }), true);
    return pid;
  }

  synchronized long producerIdsAssigned() {
    return nextProducerId;
  }

  TransactionalIdState state(String transactionalId) {
    return ids.computeIfAbsent(transactionalId, TransactionalIdState::new);
  }

  /** Durably records a transactional id's producer id and epoch. */
  void logEpoch(TransactionalIdState st) {
    append(entry(out -> writeEpoch(out, st)), true);
  }

  /** Records a transaction's state without forcing it; returns the position {@link #forceUpTo} must cover. */
  long appendTxnUnforced(Txn t, short epoch) {
    return write(entry(out -> writeTxn(out, t, epoch)));
  }

  /** Records a transaction's state; forced when recovery depends on it. */
  void logTxn(Txn t, short epoch, boolean force) {
    append(entry(out -> writeTxn(out, t, epoch)), force);
  }

  // ---- groups ----

  /**
   * Durably commits group offsets. Appending and applying happen under the monitor that compaction also holds: a
   * compaction between the two would snapshot the state without these offsets and replace the file that held the
   * appended entry, dropping an acknowledged commit.
   */
  synchronized void commitGroup(String group, Map<TopicPartition, Long> offsets) {
    append(entry(out -> writeGroup(out, group, offsets)), true);
    afterGroupAppendForTest.run();
    applyGroup(group, offsets);
  }

  /** Test hook: runs between a group commit's append and its in-memory update. */
  volatile Runnable afterGroupAppendForTest = () -> { };

  /** Durably forgets a group's offsets (so retention no longer waits for it); returns whether it existed. */
  synchronized boolean deleteGroup(String group) {
    if (!groups.containsKey(group)) {
      return false;
    }
    append(entry(out -> {
      out.writeByte(GROUP_DELETE);
      out.writeUTF(group);
    }), true);
    groups.remove(group);
    return true;
  }

  /** Every group's committed offsets (a copy). */
  Map<String, Map<TopicPartition, Long>> groups() {
    Map<String, Map<TopicPartition, Long>> copy = new TreeMap<>();
    groups.forEach((g, m) -> copy.put(g, Map.copyOf(m)));
    return copy;
  }

  void applyGroup(String group, Map<TopicPartition, Long> offsets) {
    groups.computeIfAbsent(group, k -> new ConcurrentHashMap<>()).putAll(offsets);
  }

  OptionalLong committed(String group, TopicPartition tp) {
    Map<TopicPartition, Long> m = groups.get(group);
    Long v = m == null ? null : m.get(tp);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** The smallest committed offset of any group for tp, or Long.MAX_VALUE if no group committed one. */
  long groupFloor(TopicPartition tp) {
    long floor = Long.MAX_VALUE;
    for (Map<TopicPartition, Long> m : groups.values()) {
      Long v = m.get(tp);
      if (v != null) {
        floor = Math.min(floor, v);
      }
    }
    return floor;
  }

  // ---- file ----

  private void append(byte[] payload, boolean force) {
    long end = write(payload);
    if (force) {
      forceUpTo(end);
    }
  }

  /** Writes one entry without forcing it; returns the logical position after it, for {@link #forceUpTo}. */
  private synchronized long write(byte[] payload) {
    ctx.check();
    ctx.checkWritable();
    try {
      ByteBuffer head = ByteBuffer.allocate(8);
      CRC32C crc = new CRC32C();
      crc.update(payload);
      head.putInt(payload.length).putInt((int) crc.getValue());
      byte[] rec = new byte[8 + payload.length];
      System.arraycopy(head.array(), 0, rec, 0, 8);
      System.arraycopy(payload, 0, rec, 8, payload.length);
      file.write(rec);
      fileBytes += rec.length;
      appendedBytes += rec.length;
      return appendedBytes;
    } catch (IOException e) {
      throw ctx.fail("writing the transaction log " + dir.resolve(FILE), e);
    }
  }

  /**
   * Returns once every entry written before logical position {@code end} is forced (no-op under the OS policy). One
   * fsync covers every entry written before it started, so concurrent callers share it.
   */
  void forceUpTo(long end) {
    if (!ctx.forces() || durableBytes >= end) {
      return;
    }
    forceLock.lock();
    try {
      if (durableBytes >= end) {
        return; // a force that started after our write covered it
      }
      ctx.check();
      long covered = appendedBytes; // read before the sync: everything written before this read is covered
      beforeForceForTest.run();
      forces.incrementAndGet();
      file.getFD().sync();
      durableBytes = Math.max(durableBytes, covered);
    } catch (IOException e) {
      throw ctx.fail("forcing the transaction log " + dir.resolve(FILE), e);
    } finally {
      forceLock.unlock();
    }
  }

  /** Test hook: runs in a force, holding the force lock, before the fsync. */
  volatile Runnable beforeForceForTest = () -> { };

  /** Threads waiting for the force lock (tests). */
  int forceWaiters() {
    return forceLock.getQueueLength();
  }

  /** How many fsyncs of the coordinator file appends did (group commit shares them); for tests and stats. */
  long forceCount() {
    return forces.get();
  }

  /**
   * Compacts the file if it grew past the threshold. Called by the maintenance thread, never from an append: it
   * needs every transactional id's write lock, which it only tries (so it cannot deadlock with a producer that holds
   * one and waits to append); it skips this round if any is busy.
   */
  void maybeCompact() {
    if (fileBytes > COMPACT_BYTES) {
      compactNow();
    }
  }

  /** Compacts regardless of size (if no transactional id is busy); returns whether it did. */
  boolean compactNow() {
    List<TransactionalIdState> locked = new ArrayList<>();
    try {
      for (TransactionalIdState st : ids.values()) {
        if (!st.lock.writeLock().tryLock()) {
          return false;
        }
        locked.add(st);
      }
      synchronized (this) {
        ctx.check();
        forceLock.lock(); // no force may sync the file compaction closes
        try {
          compact();
        } finally {
          forceLock.unlock();
        }
      }
      return true;
    } catch (IOException e) {
      throw ctx.fail("compacting the transaction log " + dir.resolve(FILE), e);
    } finally {
      for (TransactionalIdState st : locked) {
        st.lock.writeLock().unlock();
      }
    }
  }

  /** Rewrites the file as a snapshot of the current state. Caller holds the monitor and every id's lock. */
  private void compact() throws IOException {
    Path tmp = dir.resolve(FILE + ".tmp");
    List<byte[]> entries = new ArrayList<>();
    entries.add(entry(out -> {
      out.writeByte(PRODUCER_ID);
      out.writeLong(nextProducerId);
    }));
    for (TransactionalIdState st : ids.values()) {
      {
        entries.add(entry(out -> writeEpoch(out, st)));
        for (Map.Entry<Long, Boolean> o : st.outcomes.entrySet()) {
          Txn done = new Txn(st.id, st.producerId, o.getKey(), 0, 0,
              o.getValue() ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT);
          entries.add(entry(out -> writeTxn(out, done, st.epoch)));
        }
        for (Txn t : st.open.values()) {
          entries.add(entry(out -> writeTxn(out, t, st.epoch)));
        }
      }
    }
    for (Map.Entry<String, ConcurrentHashMap<TopicPartition, Long>> g : groups.entrySet()) {
      entries.add(entry(out -> writeGroup(out, g.getKey(), g.getValue())));
    }
    long bytes = 0;
    try (RandomAccessFile t = new RandomAccessFile(tmp.toFile(), "rw")) {
      t.setLength(0);
      t.write(header());
      bytes += HEADER_BYTES;
      for (byte[] payload : entries) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        t.writeInt(payload.length);
        t.writeInt((int) crc.getValue());
        t.write(payload);
        bytes += 8 + payload.length;
      }
      if (ctx.forces()) {
        t.getFD().sync();
      }
    }
    file.close();
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    ctx.fsyncDirectory(dir);
    file = new RandomAccessFile(dir.resolve(FILE).toFile(), "rw");
    file.seek(bytes);
    fileBytes = bytes;
    durableBytes = appendedBytes; // the snapshot holds every entry and was forced before the rename
    LogContext.LOGGER.log(Level.DEBUG, "Compacted {0} to {1} bytes", dir.resolve(FILE), Long.toString(bytes));
  }

  long fileBytes() {
    return fileBytes;
  }

  synchronized void close() {
    if (file == null) {
      return; // read-only
    }
    forceLock.lock(); // a force in flight finishes first
    try {
      file.close();
    } catch (IOException e) {
      LogContext.LOGGER.log(Level.WARNING, "Closing " + dir.resolve(FILE) + " failed", e);
    } finally {
      forceLock.unlock();
    }
  }

  // ---- encoding ----

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] entry(Writer w) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      DataOutputStream out = new DataOutputStream(bytes);
      w.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeEpoch(DataOutputStream out, TransactionalIdState st) throws IOException {
    out.writeByte(EPOCH);
    out.writeUTF(st.id);
    out.writeLong(st.producerId);
    out.writeShort(st.epoch);
    out.writeLong(st.nextSeq);
  }

  private static void writeTxn(DataOutputStream out, Txn t, short epoch) throws IOException {
    out.writeByte(TXN);
    out.writeUTF(t.transactionalId);
    out.writeLong(t.producerId);
    out.writeShort(epoch);
    out.writeLong(t.seq);
    out.writeByte(t.state.id());
    out.writeShort(t.preparedEpoch);
    out.writeLong(t.startMillis);
    out.writeLong(t.timeoutMillis);
    out.writeInt(t.partitions.size());
    for (TopicPartition tp : t.partitions) {
      writeTp(out, tp);
      long[] r = t.ranges.get(tp);
      out.writeBoolean(r != null);
      if (r != null) {
        out.writeLong(r[0]);
        out.writeLong(r[1]);
      }
    }
    out.writeInt(t.offsets.size());
    for (Map.Entry<String, Map<TopicPartition, Long>> g : t.offsets.entrySet()) {
      writeGroup(out, g.getKey(), g.getValue());
    }
  }

  private static void writeGroup(DataOutputStream out, String group, Map<TopicPartition, Long> offsets)
      throws IOException {
    out.writeByte(GROUP);
    out.writeUTF(group);
    out.writeInt(offsets.size());
    for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
      writeTp(out, e.getKey());
      out.writeLong(e.getValue());
    }
  }

  private static void writeTp(DataOutputStream out, TopicPartition tp) throws IOException {
    out.writeUTF(tp.topic());
    out.writeInt(tp.partition());
  }

  private static TopicPartition readTp(DataInputStream in) throws IOException {
    return new TopicPartition(in.readUTF(), in.readInt());
  }

  private static Map<TopicPartition, Long> readGroupBody(DataInputStream in) throws IOException {
    int n = in.readInt();
    Map<TopicPartition, Long> m = new HashMap<>();
    for (int i = 0; i < n; i++) {
      m.put(readTp(in), in.readLong());
    }
    return m;
  }

  private void replay(DataInputStream in) throws IOException {
    byte type = in.readByte();
    switch (type) {
      case PRODUCER_ID -> nextProducerId = Math.max(nextProducerId, in.readLong());
      case EPOCH -> {
        TransactionalIdState st = state(in.readUTF());
        st.producerId = in.readLong();
        st.epoch = in.readShort();
        st.nextSeq = Math.max(st.nextSeq, in.readLong());
      }
      case TXN -> replayTxn(in);
      case GROUP -> {
        String group = in.readUTF();
        applyGroup(group, readGroupBody(in));
      }
      case GROUP_DELETE -> groups.remove(in.readUTF());
      default -> throw new UnsupportedLogFormatException("unknown coordinator entry type " + type + " in "
          + dir.resolve(FILE) + ": written by a newer Onceflow version; open the directory with that version");
    }
  }

  private void replayTxn(DataInputStream in) throws IOException {
    String id = in.readUTF();
    long pid = in.readLong();
    short epoch = in.readShort();
    long seq = in.readLong();
    TransactionState state = TransactionState.fromId(in.readByte());
    short preparedEpoch = in.readShort();
    long start = in.readLong();
    long timeout = in.readLong();
    Txn t = new Txn(id, pid, seq, start, timeout, state);
    t.preparedEpoch = preparedEpoch;
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      TopicPartition tp = readTp(in);
      t.partitions.add(tp);
      if (in.readBoolean()) {
        t.ranges.put(tp, new long[] {in.readLong(), in.readLong()});
      }
    }
    int groupsN = in.readInt();
    Map<String, Map<TopicPartition, Long>> offsets = new TreeMap<>();
    for (int i = 0; i < groupsN; i++) {
      in.readByte();
      offsets.put(in.readUTF(), readGroupBody(in));
    }
    t.offsets.putAll(offsets);
    TransactionalIdState st = state(id);
    st.producerId = pid;
    st.epoch = (short) Math.max(st.epoch, epoch);
    st.nextSeq = Math.max(st.nextSeq, seq + 1);
    if (state.isOpen()) {
      st.open.put(seq, t);
    } else {
      st.open.remove(seq);
      st.outcomes.put(seq, state == TransactionState.COMPLETE_COMMIT);
      if (state == TransactionState.COMPLETE_COMMIT) {
        offsets.forEach(this::applyGroup);
      }
    }
  }
}
