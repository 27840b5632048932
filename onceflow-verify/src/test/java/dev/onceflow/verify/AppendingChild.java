package dev.onceflow.verify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The harness's tiny test child, independent of the engine: appends the numbered lines 0..N-1 to a file, each one
 * fsync'd, resuming after the last complete line (a torn last line is truncated) and printing the harness's progress
 * lines. Each start is recorded in a second file, so the test can count the real restarts.
 *
 * <p>Arguments: data file, N, starts file. Exit code 3 if the file is not the expected prefix on start.
 */
public final class AppendingChild {
  private AppendingChild() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    long n = Long.parseLong(args[1]);
    appendLine(Path.of(args[2]), "START");
    System.out.println("STARTED");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      String content = Files.readString(file, StandardCharsets.UTF_8);
      int end = content.lastIndexOf('\n') + 1;
      ch.truncate(end); // drop a torn last line
      ch.force(true);
      long next = 0;
      for (String line : content.substring(0, end).split("\n", -1)) {
        if (line.isEmpty()) {
          continue;
        }
        if (Long.parseLong(line) != next) {
          System.err.println("AppendingChild: expected line " + next + " but found " + line);
          System.exit(3);
        }
        next++;
      }
      ch.position(end);
      for (long i = next; i < n; i++) {
        ch.write(ByteBuffer.wrap((i + "\n").getBytes(StandardCharsets.UTF_8)));
        ch.force(false);
        if (i % 10 == 9) {
          System.out.println("PROGRESS " + (i + 1));
        }
        if (i % 50 == 49) {
          System.out.println("PREPARED " + (i / 50));
          System.out.println("CHECKPOINT " + (i / 50));
          System.out.println("COMMIT " + (i / 50));
        }
      }
    }
    appendLine(Path.of(args[2]), "END");
    System.out.println("FINISHED");
    System.exit(0);
  }

  private static void appendLine(Path file, String line) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
  }
}
