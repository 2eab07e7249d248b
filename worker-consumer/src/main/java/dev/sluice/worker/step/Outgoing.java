package dev.sluice.worker.step;

/**
 * One record a step wants sent: topic, partition (null = by key), key, value (a {@code StageWork} or
 * a {@code ResultEvent}), and the index in the step's input of the record whose request headers it
 * carries on (trace context, reply partition).
 */
public record Outgoing(String topic, Integer partition, String key, Object value, int source) {}
