package dev.onceflow.verify.custom;

import dev.onceflow.verify.CheckResult;
import dev.onceflow.verify.OutputRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link VerifiableJob}'s committed output must be, as a check of that output: lost and duplicated effects,
 * and whether it is exact. The promise of each guarantee is then {@link CheckResult#promiseHeld}: AT_MOST_ONCE
 * nothing duplicated, AT_LEAST_ONCE nothing lost, EXACTLY_ONCE neither and exact.
 */
@FunctionalInterface
public interface Expectation {
  /** The findings on the committed {@code output} (per output partition in offset order). */
  CheckResult check(List<OutputRecord> output);

  /**
   * The output must be exactly these records, as a multiset (the order is free: partitions are read in parallel).
   * Lost = expected records missing; duplicated = records beyond their expected number, and records not expected.
   */
  static Expectation records(Collection<String> expected) {
    Map<String, Long> want = new HashMap<>();
    for (String e : expected) {
      want.merge(Objects.requireNonNull(e, "expected record"), 1L, Long::sum);
    }
    long total = expected.size();
    return output -> {
      Findings f = new Findings();
      Map<String, Long> got = new LinkedHashMap<>();
      for (OutputRecord r : output) {
        got.merge(r.value(), 1L, Long::sum);
      }
      for (var e : want.entrySet()) {
        long n = got.getOrDefault(e.getKey(), 0L);
        if (n < e.getValue()) {
          f.lost(e.getValue() - n, "record '" + e.getKey() + "' output " + n + " of " + e.getValue() + " times");
        }
      }
      for (var e : got.entrySet()) {
        long n = want.getOrDefault(e.getKey(), 0L);
        if (e.getValue() > n) {
          f.duplicated(e.getValue() - n, n == 0 ? "record '" + e.getKey() + "' is not expected at all (output "
              + e.getValue() + " times)" : "record '" + e.getKey() + "' output " + e.getValue() + " times, expected "
              + n);
        }
      }
      return f.result(total, output.size());
    };
  }

  /**
   * The output, read as a table (the last value per key, as an upsert sink's readers see it), must equal
   * {@code expected}. Lost = expected keys missing; duplicated = keys not expected; a wrong value or an unkeyed
   * record makes it inexact.
   */
  static Expectation table(Map<String, String> expected) {
    Map<String, String> want = Map.copyOf(expected);
    return output -> {
      Findings f = new Findings();
      Map<String, String> table = new HashMap<>();
      for (OutputRecord r : output) {
        if (r.key() == null) {
          f.wrong("record without a key (not an upsert): " + r.value());
        } else {
          table.put(r.key(), r.value());
        }
      }
      for (var e : want.entrySet()) {
        String v = table.remove(e.getKey());
        if (v == null) {
          f.lost(1, "key '" + e.getKey() + "' is not in the table");
        } else if (!v.equals(e.getValue())) {
          f.wrong("key '" + e.getKey() + "' has '" + v + "', expected '" + e.getValue() + "'");
        }
      }
      for (String k : table.keySet()) {
        f.duplicated(1, "key '" + k + "' should not be in the table");
      }
      return f.result(want.size(), output.size());
    };
  }

  /**
   * An invariant over the output (and the input, which the lambda closes over), for outputs that have no single
   * right value (e.g. depends on the processing order): {@code invariant} reports what it finds to {@link Findings}.
   *
   * @param effectsExpected the number of effects the input must have (reported, and the base of "exact")
   */
  static Expectation invariant(long effectsExpected, Invariant invariant) {
    Objects.requireNonNull(invariant, "invariant");
    return output -> {
      Findings f = new Findings();
      invariant.check(output, f);
      return f.result(effectsExpected, output.size());
    };
  }

  /** A check of the committed output that reports its findings. */
  @FunctionalInterface
  interface Invariant {
    /** Checks {@code output}, reporting every lost or duplicated effect and every wrong value to {@code findings}. */
    void check(List<OutputRecord> output, Findings findings);
  }

  /** What an {@link Invariant} found; the first few problems are kept as text. */
  final class Findings {
    private static final int MAX_PROBLEMS = 10;
    private final List<String> problems = new ArrayList<>();
    private long problemCount;
    private long lost;
    private long duplicated;
    private boolean wrong;

    /** {@code n} expected effects are missing. */
    public void lost(long n, String what) {
      lost += n;
      problem(what + " (lost " + n + ")");
    }

    /** {@code n} effects are there more often than the input allows. */
    public void duplicated(long n, String what) {
      duplicated += n;
      problem(what + " (duplicated " + n + ")");
    }

    /** A value is wrong (neither lost nor duplicated): the output is not exact. */
    public void wrong(String what) {
      wrong = true;
      problem(what);
    }

    private void problem(String text) {
      problemCount++;
      if (problems.size() < MAX_PROBLEMS) {
        problems.add(text);
      }
    }

    CheckResult result(long expected, long records) {
      List<String> p = new ArrayList<>(problems);
      if (problemCount > problems.size()) {
        p.add("... and " + (problemCount - problems.size()) + " more problems");
      }
      return new CheckResult(expected, records, lost, duplicated, !wrong && lost == 0 && duplicated == 0, p);
    }
  }
}
