package dev.onceflow.verify;

import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Wraps a two-phase-commit sink so that each writer prints {@code PREPARED <checkpoint id>} once its pre-commit
 * returned: the harness can then kill between a sink's prepare and the checkpoint's completion. A dynamic proxy, so
 * every method of the interface (also ones added later, and default methods) reaches the real sink unchanged.
 */
final class PrepareReportingSink {
  private PrepareReportingSink() {}

  @SuppressWarnings("unchecked")
  static <T> TwoPhaseCommitSink<T> wrap(TwoPhaseCommitSink<T> sink) {
    return (TwoPhaseCommitSink<T>) Proxy.newProxyInstance(PrepareReportingSink.class.getClassLoader(),
        new Class<?>[] {TwoPhaseCommitSink.class}, (proxy, method, args) -> {
          Object result = forward(sink, method, args);
          if (method.getName().equals("createWriter") && result instanceof TwoPhaseCommitWriter<?> w) {
            return writer(w);
          }
          return result;
        });
  }

  private static Object writer(TwoPhaseCommitWriter<?> w) {
    InvocationHandler h = (proxy, method, args) -> {
      Object result = forward(w, method, args);
      if (method.getName().equals("preCommit") && args != null && args.length == 1) {
        System.out.println("PREPARED " + args[0]);
      }
      return result;
    };
    return Proxy.newProxyInstance(PrepareReportingSink.class.getClassLoader(),
        new Class<?>[] {TwoPhaseCommitWriter.class}, h);
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
