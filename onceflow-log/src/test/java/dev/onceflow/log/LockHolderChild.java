package dev.onceflow.log;

import java.nio.file.Path;

/** Child JVM of {@link DirectoryLockTest}: opens the log, says so, and waits to be killed. */
public final class LockHolderChild {
  private LockHolderChild() {}

  public static void main(String[] args) throws Exception {
    Log log = Log.open(Path.of(args[0]));
    System.out.println("OPEN " + ProcessHandle.current().pid() + " " + log.topics().size());
    System.out.flush();
    System.in.read(); // until killed (or stdin closes)
    log.close();
  }
}
