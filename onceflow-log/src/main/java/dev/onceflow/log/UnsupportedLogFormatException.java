package dev.onceflow.log;

/**
 * A file of the log directory has a format version (or a persisted id) this version of Onceflow does not know: it was
 * written by a newer version, or it is not a log file. Nothing was read or changed. Fatal: retrying cannot help; open
 * the directory with the version that wrote it.
 */
public final class UnsupportedLogFormatException extends LogException {
  /** With a message that names the file, the version found and the fix. */
  public UnsupportedLogFormatException(String message) {
    super(message);
  }

  @Override
  public boolean retriable() {
    return false;
  }
}
