package dev.onceflow.core.checkpoint;

import dev.onceflow.core.CheckpointDirectoryLockedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ownership of a checkpoint directory for a job's whole life: an OS file lock on {@code <dir>/_lock}, released by the
 * OS when the process ends (kill -9 included), so a stale lock never needs deleting. The holder writes its pid, host,
 * start time and job name into the file so that a refused second instance can name it. A JVM-wide set catches a
 * second job in the same process, where the OS lock is per process and would only throw an overlap error.
 *
 * <p>The same idea as the log directory's lock, kept separate on purpose: the log's is internal to {@code
 * onceflow-log}, and the holder description here (job name, start time) is the checkpoint directory's own.
 */
public final class CheckpointDirectoryLock implements AutoCloseable {
  static final String FILE = "_lock";
  private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private CheckpointDirectoryLock(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates {@code dir} if needed and locks it for {@code jobName}.
   *
   * @throws CheckpointDirectoryLockedException if another job (here or in another process) holds it
   */
  public static CheckpointDirectoryLock acquire(Path dir, String jobName, Clock clock) {
    Path key = dir.toAbsolutePath().normalize();
    if (!HELD_IN_THIS_JVM.add(key)) {
      Map<String, String> holder = readHolder(key.resolve(FILE));
      throw locked(key, holder, "another job in this process");
    }
    FileChannel ch = null;
    try {
      boolean created = !Files.isDirectory(key);
      Files.createDirectories(key);
      if (created) {
        DurableFiles.forceDirectory(key.getParent());
      }
      ch = FileChannel.open(key.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw locked(key, readHolder(key.resolve(FILE)), "another process");
      }
      String me = "version=1\npid=" + ProcessHandle.current().pid() + "\nhost=" + hostName() + "\nstarted="
          + clock.instant() + "\njob=" + jobName + "\n";
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
      ch.force(true);
      return new CheckpointDirectoryLock(key, ch, lock);
    } catch (IOException e) {
      closeQuietly(ch);
      HELD_IN_THIS_JVM.remove(key);
      throw new UncheckedIOException("cannot lock checkpoint directory " + key + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      HELD_IN_THIS_JVM.remove(key);
      throw e;
    }
  }

  private static CheckpointDirectoryLockedException locked(Path dir, Map<String, String> holder, String who) {
    long pid;
    try {
      pid = Long.parseLong(holder.getOrDefault("pid", "-1"));
    } catch (NumberFormatException e) {
      pid = -1;
    }
    String host = holder.getOrDefault("host", "?");
    String started = holder.getOrDefault("started", "?");
    String job = holder.getOrDefault("job", "?");
    return new CheckpointDirectoryLockedException(dir, pid, host, started,
        "checkpoint directory " + dir + " is held by " + who + ": job '" + job + "', pid " + pid + " on " + host
            + ", since " + started + ". Two instances of one job on one checkpoint directory would fence each other;"
            + " stop that instance first, or give this job another checkpoint directory");
  }

  /** The holder's key=value lines; empty if unreadable (the holder may be writing it right now). */
  private static Map<String, String> readHolder(Path file) {
    Map<String, String> out = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          out.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // unreadable: the error says "?" for what it could not read
    }
    return out;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "?";
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // already failing; the original error is what the caller sees
      }
    }
  }

  /** The locked directory. */
  public Path directory() {
    return dir;
  }

  /** Releases the lock (the file stays; its content is only read while someone holds the lock). */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
      channel.close();
    } finally {
      HELD_IN_THIS_JVM.remove(dir);
    }
  }
}
