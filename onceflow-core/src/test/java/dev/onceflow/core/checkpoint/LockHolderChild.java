package dev.onceflow.core.checkpoint;

import java.nio.file.Path;
import java.time.Clock;

/** Child JVM of {@link CheckpointDirectoryLockTest}: holds a checkpoint directory's lock until killed. */
public final class LockHolderChild {
  public static void main(String[] args) throws Exception {
    try (CheckpointDirectoryLock lock = CheckpointDirectoryLock.acquire(Path.of(args[0]), "holder", Clock.systemUTC())) {
      System.out.println("LOCKED");
      System.out.flush();
      System.in.read(); // until the parent kills this JVM
    }
  }
}
