package dev.onceflow.core.sink;

import dev.onceflow.core.checkpoint.DurableFiles;
import dev.onceflow.core.connector.Encoder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transactional (two-phase-commit) sink writing one record per line into files of a directory, like Flink's FileSink.
 *
 * <p>Every file name carries its owner, {@code <owner> = <job>-<id>}: the pipeline name (characters other than
 * letters, digits, '_' and '.' replaced by '_', at most 40 kept) for people, and {@code <id>}, 12 hex digits of the
 * SHA-256 of (pipeline name, sink name), for recovery. Per subtask and checkpoint: records go to a hidden in-progress
 * file {@code .part-<owner>-<s>-<rand>.inprogress}; on the barrier it is flushed, fsync'd and renamed to {@code
 * .part-<owner>-<s>-c<checkpoint>-<rand>.pending} (prepared: durable, still invisible); the token is that name. Commit
 * renames it to the visible {@code part-<owner>-<s>-c<checkpoint>-<rand>} and fsyncs the directory; committing again
 * finds the visible file and does nothing. Recovery of subtask s deletes the in-progress files and the pending files
 * the restored checkpoint did not record, of prefix {@code .part-<owner>-<s>-} only: several pipelines (or several
 * sinks of one pipeline, if named apart with {@link #named}) can share a directory, and none touches another's files.
 * Readers see only {@code part-*} files ({@link #readCommitted}). A transaction without records creates no file.
 *
 * <p>Files named before the owner was part of the name ({@code .part-<s>-...}) are never deleted by recovery (nothing
 * proves whose they are); a pending one a restored checkpoint recorded is still committed, and committed ones are
 * still read.
 */
public final class FileSink<T> implements TwoPhaseCommitSink<T> {
  private static final Logger LOG = LoggerFactory.getLogger(FileSink.class);

  private final Path dir;
  private final Encoder<T> encoder;
  private final String name;

  private FileSink(Path dir, Encoder<T> encoder, String name) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.name = name;
  }

  /** A file sink into {@code dir}; each record is encoded and followed by a newline. */
  public static <T> FileSink<T> of(Path dir, Encoder<T> encoder) {
    return new FileSink<>(dir, encoder, "file");
  }

  /** The same sink with another name (used in logs and errors). */
  public FileSink<T> named(String sinkName) {
    return new FileSink<>(dir, encoder, sinkName);
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The owner part of this sink's file names in pipeline {@code jobName}: {@code <job>-<id>} (see the class comment).
   */
  public String owner(String jobName) {
    return owner(jobName, name);
  }

  static String owner(String jobName, String sinkName) {
    String readable = jobName.replaceAll("[^A-Za-z0-9_.]", "_");
    if (readable.length() > 40) {
      readable = readable.substring(0, 40);
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((jobName + '\0' + sinkName).getBytes(StandardCharsets.UTF_8));
      return readable + "-" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** The committed lines of sink {@code sinkName} of pipeline {@code jobName} only, file by file in name order. */
  public static List<String> readCommitted(Path dir, String jobName, String sinkName) throws IOException {
    return readCommittedWithPrefix(dir, "part-" + owner(jobName, sinkName) + "-");
  }

  /** All committed lines of all subtasks (of every pipeline writing {@code dir}), file by file in name order. */
  public static List<String> readCommitted(Path dir) throws IOException {
    return readCommittedWithPrefix(dir, "part-");
  }

  private static List<String> readCommittedWithPrefix(Path dir, String prefix) throws IOException {
    List<String> lines = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return lines;
    }
    List<Path> files;
    try (var s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
    }
    for (Path f : files) {
      lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
    }
    return lines;
  }

  @Override
  public TwoPhaseCommitWriter<T> createWriter(SinkContext context) throws IOException {
    Files.createDirectories(dir);
    return new Writer(owner(context.jobName()) + "-" + context.subtask());
  }

  @Override
  public void commit(byte[] token) throws IOException {
    String pendingName = new String(token, StandardCharsets.UTF_8);
    if (pendingName.isEmpty()) {
      return; // empty transaction
    }
    Path pending = dir.resolve(pendingName);
    Path visible = dir.resolve(visibleName(pendingName));
    if (Files.exists(visible)) {
      return; // already committed
    }
    if (!Files.exists(pending)) {
      throw new IllegalStateException(
          "cannot commit " + pendingName + " in " + dir + ": neither the prepared nor the committed file exists "
              + "(was the directory modified by hand?)");
    }
    Files.move(pending, visible, StandardCopyOption.ATOMIC_MOVE);
    DurableFiles.forceDirectory(dir);
  }

  @Override
  public void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    Set<String> recorded = new HashSet<>();
    for (byte[] t : recordedTokens) {
      recorded.add(new String(t, StandardCharsets.UTF_8));
    }
    String prefix = ".part-" + owner(context.jobName()) + "-" + context.subtask() + "-";
    List<Path> doomed = new ArrayList<>();
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(prefix)
            && (n.endsWith(".inprogress") || (n.endsWith(".pending") && !recorded.contains(n)))) {
          doomed.add(p);
        }
      }
    }
    for (Path p : doomed) {
      Files.deleteIfExists(p);
      LOG.info("Recovery of {}: aborted lingering transaction {}", context.subtaskId(), p.getFileName());
    }
    if (!doomed.isEmpty()) {
      DurableFiles.forceDirectory(dir);
    }
  }

  private static String visibleName(String pendingName) {
    return pendingName.substring(1, pendingName.length() - ".pending".length());
  }

  private final class Writer implements TwoPhaseCommitWriter<T> {
    private final String ownerAndSubtask;
    private String rand;
    private Path inProgress;
    private FileChannel channel;
    private OutputStream out;

    Writer(String ownerAndSubtask) {
      this.ownerAndSubtask = ownerAndSubtask;
    }

    @Override
    public void beginTransaction() {
      rand = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
      inProgress = null;
    }

    @Override
    public void write(T record) throws IOException {
      if (out == null) {
        inProgress = dir.resolve(".part-" + ownerAndSubtask + "-" + rand + ".inprogress");
        channel = FileChannel.open(inProgress, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
      }
      out.write(encoder.encode(record));
      out.write('\n');
    }

    @Override
    public byte[] preCommit(long checkpointId) throws IOException {
      if (out == null) {
        return new byte[0];
      }
      out.flush();
      channel.force(true);
      out.close();
      out = null;
      channel = null;
      String pendingName = String.format(".part-%s-c%020d-%s.pending", ownerAndSubtask, checkpointId, rand);
      Files.move(inProgress, dir.resolve(pendingName), StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.forceDirectory(dir);
      inProgress = null;
      return pendingName.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void abort() throws IOException {
      if (out != null) {
        out.close();
        out = null;
        channel = null;
      }
      if (inProgress != null) {
        Files.deleteIfExists(inProgress);
        inProgress = null;
      }
    }

    @Override
    public void close() throws IOException {
      abort();
    }
  }
}
