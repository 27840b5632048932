package dev.onceflow.verify.custom;

import dev.onceflow.core.Guarantee;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test that verifies a {@link VerifiableJob} under kill -9: the test fails, with the report, unless the
 * guarantee's promise held. The method may take a {@link VerificationReport} parameter to check more.
 *
 * <pre>{@code
 * class MyJobTest {
 *   @VerifyGuarantee(value = Guarantee.EXACTLY_ONCE, crashes = 20, job = MyJob.class)
 *   void keepsExactlyOnce(VerificationReport report) {
 *     assertTrue(report.crashes() >= 10);
 *   }
 * }
 * }</pre>
 *
 * <p>Without {@link #job()}, the test class itself must implement {@link VerifiableJob}. Needs
 * {@code junit-jupiter-api} on the test class path (this module declares it optional).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(VerifyGuaranteeExtension.class)
public @interface VerifyGuarantee {
  /** The guarantee the pipeline runs under and must keep. */
  Guarantee value();

  /** SIGKILLs to inject (fewer happen if the job finishes first). */
  int crashes() default 5;

  /** The seed of the kill schedule, the injected faults and the job's input. */
  long seed() default 1;

  /** Input records. */
  int events() default 10_000;

  /** The pipeline's parallelism. */
  int parallelism() default 2;

  /** Also inject exceptions (in-process restarts between the kills). */
  boolean faults() default false;

  /** The job; default {@code VerifiableJob.class} = the test class itself. */
  Class<? extends VerifiableJob> job() default VerifiableJob.class;

  /**
   * A mutation check: the test passes only if the promise is reported BROKEN. Use it on a deliberately broken
   * variant of your job to see that the verification can catch what it is meant to catch.
   */
  boolean expectBroken() default false;
}
