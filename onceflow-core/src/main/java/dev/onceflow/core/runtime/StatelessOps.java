package dev.onceflow.core.runtime;

import dev.onceflow.core.Collector;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/** map, filter and flatMap: stateless chained operators. Keys are not kept: the record changed. */
final class StatelessOps {
  private StatelessOps() {}

  static final class MapOp extends ChainOp {
    private final Function<Object, Object> fn;

    MapOp(Function<Object, Object> fn) {
      this.fn = fn;
    }

    @Override
    void accept(Object record, Object key, long ts) throws Exception {
      recordsIn++;
      recordsOut++;
      next.accept(fn.apply(record), null, ts);
    }
  }

  static final class FilterOp extends ChainOp {
    private final Predicate<Object> fn;

    FilterOp(Predicate<Object> fn) {
      this.fn = fn;
    }

    @Override
    void accept(Object record, Object key, long ts) throws Exception {
      recordsIn++;
      if (fn.test(record)) {
        recordsOut++;
        next.accept(record, null, ts);
      }
    }
  }

  static final class FlatMapOp extends ChainOp implements Collector<Object> {
    private final BiConsumer<Object, Collector<Object>> fn;
    private long ts;

    FlatMapOp(BiConsumer<Object, Collector<Object>> fn) {
      this.fn = fn;
    }

    @Override
    void accept(Object record, Object key, long ts) throws Exception {
      recordsIn++;
      this.ts = ts;
      fn.accept(record, this);
    }

    @Override
    public void collect(Object record) {
      recordsOut++;
      try {
        next.accept(record, null, ts);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new TaskFailure(e);
      }
    }
  }
}
