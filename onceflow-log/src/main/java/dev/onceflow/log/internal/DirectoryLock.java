package dev.onceflow.log.internal;

import dev.onceflow.log.LogLockedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ownership of a log directory: an OS file lock on {@code LOCK} (released by the OS when the process dies, even by
 * kill -9), which also holds the owner's pid so that the next opener can name it. A JVM-wide set catches a second
 * open from the same process, which the OS lock would not report clearly.
 */
final class DirectoryLock implements AutoCloseable {
  private static final Set<Path> OPEN_IN_THIS_JVM = ConcurrentHashMap.newKeySet();
  static final String FILE = "LOCK";

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;
  private final boolean registered;

  private DirectoryLock(Path dir, FileChannel channel, FileLock lock, boolean registered) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
    this.registered = registered;
  }

  /**
   * A read-only opener's lock: shared, on the existing {@code LOCK} file (never created or written), so it fails
   * while a writer holds the exclusive lock and keeps a writer out while held. No lock when the file does not exist.
   */
  static DirectoryLock acquireShared(Path dir) {
    Path key = dir.toAbsolutePath().normalize();
    if (OPEN_IN_THIS_JVM.contains(key)) {
      long me = ProcessHandle.current().pid();
      throw new LogLockedException("log directory " + key + " is already open in this process (pid " + me
          + "); read it through that Log instance or close it first", me);
    }
    if (!java.nio.file.Files.exists(key.resolve(FILE))) {
      return new DirectoryLock(key, null, null, false);
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(key.resolve(FILE), StandardOpenOption.READ);
      FileLock lock;
      try {
        lock = ch.tryLock(0, Long.MAX_VALUE, true);
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        long holder = readPid(ch);
        throw new LogLockedException("log directory " + key + " is owned by another process (pid " + holder
            + "); stop it to inspect the directory, or inspect it through that process", holder);
      }
      return new DirectoryLock(key, ch, lock, false);
    } catch (IOException e) {
      closeQuietly(ch);
      throw new UncheckedIOException("cannot lock log directory " + key + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  static DirectoryLock acquire(Path dir) {
    Path key = dir.toAbsolutePath().normalize();
    long me = ProcessHandle.current().pid();
    if (!OPEN_IN_THIS_JVM.add(key)) {
      throw new LogLockedException("log directory " + key + " is already open in this process (pid " + me
          + "); share that Log instance or close it first", me);
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(key.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        long holder = readPid(ch);
        throw new LogLockedException("log directory " + key + " is owned by another process (pid " + holder
            + "); stop it, or open another directory", holder);
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      ch.force(true);
      return new DirectoryLock(key, ch, lock, true);
    } catch (IOException e) {
      closeQuietly(ch);
      OPEN_IN_THIS_JVM.remove(key);
      throw new UncheckedIOException("cannot lock log directory " + key + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      OPEN_IN_THIS_JVM.remove(key);
      throw e;
    }
  }

  private static long readPid(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(32);
    ch.read(buf, 0);
    String s = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LogContext.LOGGER.log(System.Logger.Level.WARNING, "closing lock file failed", e);
      }
    }
  }

  @Override
  public void close() {
    try {
      if (lock != null) {
        lock.release();
        channel.close();
      }
    } catch (IOException e) {
      LogContext.LOGGER.log(System.Logger.Level.WARNING, "releasing lock of " + dir + " failed", e);
    } finally {
      if (registered) {
        OPEN_IN_THIS_JVM.remove(dir);
      }
    }
  }
}
