package dev.onceflow.core;

import java.nio.file.Path;

/**
 * Another running job (in this or another process) holds the checkpoint directory. Two instances of one job on one
 * checkpoint directory would fence each other's sink transactions and overwrite each other's checkpoints, so the
 * second is refused before it runs anything. The holder is named as it wrote itself into the lock file; the OS
 * releases the lock when the holder ends, even by kill -9. Stop the other instance, or give this job another
 * checkpoint directory.
 */
public final class CheckpointDirectoryLockedException extends NonRecoverableException {
  private final Path checkpointDirectory;
  private final long holderPid;
  private final String holderHost;
  private final String holderStarted;

  /**
   * Creates the exception.
   *
   * @param holderPid pid the holder wrote, -1 if unreadable
   * @param holderHost host name the holder wrote, "?" if unreadable
   * @param holderStarted ISO-8601 instant the holder took the lock, "?" if unreadable
   */
  public CheckpointDirectoryLockedException(
      Path checkpointDirectory, long holderPid, String holderHost, String holderStarted, String message) {
    super(message);
    this.checkpointDirectory = checkpointDirectory;
    this.holderPid = holderPid;
    this.holderHost = holderHost;
    this.holderStarted = holderStarted;
  }

  /** The locked directory. */
  public Path checkpointDirectory() {
    return checkpointDirectory;
  }

  /** The holder's pid, or -1 if the lock file could not be read. */
  public long holderPid() {
    return holderPid;
  }

  /** The holder's host name, or "?" if unknown. */
  public String holderHost() {
    return holderHost;
  }

  /** When the holder took the lock (ISO-8601), or "?" if unknown. */
  public String holderStarted() {
    return holderStarted;
  }
}
