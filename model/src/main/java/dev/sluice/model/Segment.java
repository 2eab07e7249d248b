package dev.sluice.model;

/**
 * Where one sequence's new tokens sit in a batched step: rows [offset, offset + count) of the
 * concatenated token matrix, at sequence positions [start, start + count).
 */
record Segment(SequenceKv kv, int offset, int count, int start) {}
