package dev.onceflow.core;

import java.io.Serializable;
import java.util.Objects;

/**
 * Names a side output of a process function (as Flink's {@code OutputTag}): records emitted with {@link
 * KeyedProcessFunction.Context#output} under this tag form their own stream, {@link DataStream#sideOutput}, which can
 * go to any operator or sink, including a transactional one. Side-output records are part of the same checkpoints as
 * the main output: under EXACTLY_ONCE a record sent to a side output's transactional sink is committed exactly once,
 * in the same checkpoint as the main output derived from the same input. Two tags are the same output when their ids
 * are equal; records under a tag nobody reads are dropped.
 *
 * @param <T> the type of the side output's records
 */
public final class OutputTag<T> implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String id;

  /** A tag named {@code id} (letters, digits, '.', '_', '-'; unique among the side outputs of one function). */
  public OutputTag(String id) {
    if (id == null || !id.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidPipelineException(
          "output tag id '" + id + "' is invalid: use letters, digits, '.', '_' or '-'");
    }
    this.id = id;
  }

  /** The tag's id. */
  public String id() {
    return id;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutputTag<?> t && t.id.equals(id);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id);
  }

  @Override
  public String toString() {
    return "OutputTag(" + id + ")";
  }
}
