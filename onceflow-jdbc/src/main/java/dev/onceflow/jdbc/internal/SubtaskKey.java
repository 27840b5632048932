package dev.onceflow.jdbc.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A sink subtask in the database: the progress row's key and the prefix of its prepared transactions' gids.
 *
 * @param pipeline the pipeline (job) name
 * @param sink the sink name
 * @param subtask the subtask index
 */
public record SubtaskKey(String pipeline, String sink, int subtask) {
  /** Version of the gid layout, its first characters. */
  static final String GID_VERSION = "of1";

  /**
   * The gid prefix of this subtask: {@code of1_<16 hex of sha-256(pipeline NUL sink)>_<subtask>_}. Hashed so that
   * any pipeline or sink name fits PostgreSQL's 200-byte gid and needs no escaping; only [a-z0-9_] remain.
   */
  public String gidPrefix() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] h = md.digest((pipeline + "\0" + sink).getBytes(StandardCharsets.UTF_8));
      return GID_VERSION + "_" + HexFormat.of().formatHex(h, 0, 8) + "_" + subtask + "_";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The gid of this subtask's transaction for {@code checkpointId} written under {@code epoch}. */
  public String gid(long checkpointId, long epoch) {
    return gidPrefix() + checkpointId + "_" + epoch;
  }

  @Override
  public String toString() {
    return pipeline + "/" + sink + "/" + subtask;
  }
}
