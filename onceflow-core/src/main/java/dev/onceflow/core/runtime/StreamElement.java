package dev.onceflow.core.runtime;

/**
 * What travels through a channel between subtasks, in order: batches of records and, in-band, the control elements.
 * A partly filled batch is always flushed before a control element is sent.
 */
public sealed interface StreamElement
    permits RecordBatch, CheckpointBarrier, Watermark, EndOfInput, ReplayEnd {}
