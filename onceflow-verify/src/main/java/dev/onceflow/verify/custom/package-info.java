/**
 * Verify your own pipeline: implement {@link dev.onceflow.verify.custom.VerifiableJob} (a pipeline built from a given
 * source and given sinks, an input generator from a seed, and the expected output or an invariant), then
 * {@code Verification.of(MyJob.class).guarantee(G).crashes(K).seed(S).run()} runs it in child JVMs killed with SIGKILL
 * (and, with {@code faults(true)}, injected exceptions) and checks the committed output, exactly as
 * {@code onceflow verify} does for the built-in jobs. {@link dev.onceflow.verify.custom.VerifyGuarantee} does the same
 * from a JUnit 5 test, {@code onceflow verify --pipeline CLASS --classpath JAR} from the shell.
 */
package dev.onceflow.verify.custom;
