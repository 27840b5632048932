package dev.onceflow.core.source;

import java.util.List;

/** A bounded source over an in-memory list, split into contiguous index ranges; position = next index. */
public final class CollectionSource<T> implements Source<T> {
  private final List<T> items;

  private CollectionSource(List<T> items) {
    this.items = List.copyOf(items);
  }

  /** A source emitting {@code items} in order (per subtask range). Null elements are not allowed. */
  public static <T> CollectionSource<T> of(List<T> items) {
    return new CollectionSource<>(items);
  }

  @Override
  public String name() {
    return "collection";
  }

  @Override
  public SourceReader<T> createReader(SourceContext context) {
    return new IndexRangeReader<>(context, items.size()) {
      @Override
      void emit(long i, SourceOutput<T> out) {
        out.collect(items.get((int) i));
      }
    };
  }
}
