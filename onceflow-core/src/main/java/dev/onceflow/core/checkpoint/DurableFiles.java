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

  /**
   * Deletes a directory tree if it exists (a symbolic link is deleted, not followed). Depth first over directory
   * streams rather than a sorted {@code Files.walk}: it runs for every checkpoint that retention drops (20 a second at
   * 50 ms intervals), and compiling the walk's stream pipeline took C2 0.96 s during three measured runs there, time
   * taken from the tasks on 2 cores.
   */
  public static void deleteTree(Path dir) throws IOException {
    if (Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path p : entries) {
          deleteTree(p);
        }
      }
    }
    Files.deleteIfExists(dir);
  }
}
