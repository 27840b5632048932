package dev.onceflow.log;

/**
 * Another process (or another {@link Log} in this JVM) already owns the directory. Stop the other owner, or use
 * another directory.
 */
public final class LogLockedException extends LogException {
  private final long holderPid;

  /** With a message and the holder's process id (-1 if it could not be read). */
  public LogLockedException(String message, long holderPid) {
    super(message);
    this.holderPid = holderPid;
  }

  /** The pid written in the lock file by the owner, or -1 if unknown. */
  public long holderPid() {
    return holderPid;
  }
}
