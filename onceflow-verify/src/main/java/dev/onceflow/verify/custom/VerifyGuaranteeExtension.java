package dev.onceflow.verify.custom;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.AssertionFailedError;

/**
 * Runs the {@link Verification} a {@link VerifyGuarantee} test asks for (once per test method), fails the test
 * unless the promise held (or, with {@link VerifyGuarantee#expectBroken()}, unless it broke), and passes the
 * {@link VerificationReport} to a parameter of that type.
 */
public final class VerifyGuaranteeExtension implements ParameterResolver, InvocationInterceptor {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(VerifyGuaranteeExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
    return p.getParameter().getType() == VerificationReport.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
    return report(ctx);
  }

  @Override
  public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
      ExtensionContext ctx) throws Throwable {
    VerifyGuarantee v = annotation(ctx);
    VerificationReport r = report(ctx);
    if (v.expectBroken() && r.promiseHeld()) {
      invocation.skip();
      throw new AssertionFailedError("expected the verification to report the " + r.guarantee()
          + " promise broken, but it held:\n" + r.toText());
    }
    if (!v.expectBroken() && !r.promiseHeld()) {
      invocation.skip();
      throw new AssertionFailedError("the " + r.guarantee() + " promise broke:\n" + r.toText());
    }
    invocation.proceed();
    if (v.expectBroken() && r.workDirKept() && r.workDir().getFileName().toString().startsWith(
        Verification.TEMP_PREFIX)) {
      Verification.delete(r.workDir()); // the broken promise was the point: nothing to inspect
    }
  }

  private static VerifyGuarantee annotation(ExtensionContext ctx) {
    return ctx.getRequiredTestMethod().getAnnotation(VerifyGuarantee.class);
  }

  private static VerificationReport report(ExtensionContext ctx) {
    return ctx.getStore(NS).getOrComputeIfAbsent(ctx.getUniqueId(), id -> run(ctx), VerificationReport.class);
  }

  @SuppressWarnings("unchecked")
  private static VerificationReport run(ExtensionContext ctx) {
    VerifyGuarantee v = annotation(ctx);
    Class<?> job = v.job();
    if (job == VerifiableJob.class) {
      job = ctx.getRequiredTestClass();
      if (!VerifiableJob.class.isAssignableFrom(job)) {
        throw new ParameterResolutionException("@VerifyGuarantee on " + ctx.getRequiredTestMethod().getName()
            + " names no job, so the test class " + job.getName() + " must implement " + VerifiableJob.class.getName()
            + " (or give job = MyJob.class)");
      }
    }
    try {
      return Verification.of((Class<? extends VerifiableJob>) job).guarantee(v.value()).crashes(v.crashes())
          .seed(v.seed()).events(v.events()).parallelism(v.parallelism()).faults(v.faults()).run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while verifying " + job.getName(), e);
    }
  }
}
