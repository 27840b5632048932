package dev.onceflow.verify;

import dev.onceflow.core.sink.DeferredToken;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Wraps a sink so that each writer prints {@code PREPARED <checkpoint id>} once its pre-commit returned (two-phase
 * commit; for {@code preCommitDeferred}, which the runtime calls, once the returned token resolved, i.e. when the
 * transaction is prepared, on the checkpoint I/O thread before the acknowledgement), or {@code PREPARED} once its flush on a barrier returned (write-through): the harness can then kill
 * between a sink's prepare and the checkpoint's completion. A dynamic proxy, so every method of the interface (also
 * ones added later, and default methods) reaches the real sink unchanged.
 */
final class PrepareReportingSink {
  private PrepareReportingSink() {}

  /** {@code sink} reporting its prepares; a sink of another kind is returned as it is. */
  @SuppressWarnings("unchecked")
  static <T> Sink<T> wrap(Sink<T> sink) {
    Class<?> kind = sink instanceof TwoPhaseCommitSink<?> ? TwoPhaseCommitSink.class
        : sink instanceof WriteThroughSink<?> ? WriteThroughSink.class : null;
    if (kind == null) {
      return sink;
    }
    return (Sink<T>) Proxy.newProxyInstance(PrepareReportingSink.class.getClassLoader(), new Class<?>[] {kind},
        (proxy, method, args) -> {
          Object result = forward(sink, method, args);
          if (method.getName().equals("createWriter") && result instanceof TwoPhaseCommitWriter<?> w) {
            return writer(w, TwoPhaseCommitWriter.class, "preCommit");
          }
          if (method.getName().equals("createWriter") && result instanceof SinkWriter<?> w) {
            return writer(w, SinkWriter.class, "flush");
          }
          return result;
        });
  }

  private static Object writer(Object w, Class<?> type, String prepare) {
    InvocationHandler h = (proxy, method, args) -> {
      Object result = forward(w, method, args);
      if (method.getName().equals("preCommitDeferred") && result instanceof DeferredToken token) {
        Object id = args[0];
        return (DeferredToken) timeout -> {
          byte[] t = token.await(timeout);
          System.out.println("PREPARED " + id);
          return t;
        };
      }
      // a write-through writer's per-batch call (SinkWriter.endOfBatch) reports as its flush did before it existed
      if (method.getName().equals(prepare) || (prepare.equals("flush") && method.getName().equals("endOfBatch"))) {
        System.out.println(args != null && args.length == 1 ? "PREPARED " + args[0] : "PREPARED");
      }
      return result;
    };
    return Proxy.newProxyInstance(PrepareReportingSink.class.getClassLoader(), new Class<?>[] {type}, h);
  }

  private static Object forward(Object target, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "toString" -> "reporting(" + target + ")";
        case "hashCode" -> System.identityHashCode(target);
        case "equals" -> args[0] == target;
        default -> method.invoke(target, args);
      };
    }
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
