package dev.onceflow.verify;

import dev.onceflow.core.source.ForwardingSource;
import dev.onceflow.core.source.ForwardingSourceReader;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prints {@code INPUT_END} (once per process) when every source subtask has reported the end of its input, so the
 * harness can aim kills at the end-of-input flush and the final checkpoint.
 */
final class EndOfInputSource<T> extends ForwardingSource<T> {
  private final Set<Integer> finished = ConcurrentHashMap.newKeySet();
  private volatile boolean printed;

  EndOfInputSource(Source<T> source) {
    super(source);
  }

  @Override
  public SourceReader<T> createReader(SourceContext context) throws Exception {
    SourceReader<T> r = super.createReader(context);
    return new ForwardingSourceReader<>(r) {
      @Override
      public ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception {
        ReadStatus s = r.poll(output, maxRecords);
        if (s == ReadStatus.END_OF_INPUT && !printed && finished.add(context.subtask())
            && finished.size() >= context.parallelism()) {
          printed = true;
          System.out.println("INPUT_END");
        }
        return s;
      }
    };
  }
}
