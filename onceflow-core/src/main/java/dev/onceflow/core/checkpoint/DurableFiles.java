package dev.onceflow.core.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Small helpers for files that must survive kill -9 and power loss: write, force, rename, force the directory. */
public final class DurableFiles {
  private DurableFiles() {}

  /** Writes {@code bytes} to {@code file} and forces it to disk (not atomic; see {@link #writeAtomically}). */
  public static void writeAndForce(Path file, byte[] bytes) throws IOException {
    writeAndForce(file, bytes, bytes.length);
  }

  /** Writes the first {@code length} bytes of {@code bytes} to {@code file} and forces it to disk. */
  public static void writeAndForce(Path file, byte[] bytes, int length) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes, 0, length);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }

  /**
   * Replaces {@code file} atomically: temp file, fsync, rename, fsync of the directory. A crash leaves either the old
   * or the new content, never a mix.
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    writeAtomically(file, bytes, bytes.length);
  }

  /** As {@link #writeAtomically(Path, byte[])} with the first {@code length} bytes of {@code bytes}. */
  public static void writeAtomically(Path file, byte[] bytes, int length) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    writeAndForce(tmp, bytes, length);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + file + " cannot rename atomically; use a local disk", e);
    }
    forceDirectory(file.toAbsolutePath().getParent());
  }

  /** Forces a directory's entries (new, renamed, deleted files) to disk. */
  public static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; POSIX file systems can, and there the error is real.
      if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
        throw e;
      }
    }
  }

  /** Deletes a directory tree if it exists. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
