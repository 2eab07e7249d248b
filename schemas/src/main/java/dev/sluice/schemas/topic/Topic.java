package dev.sluice.schemas.topic;

import org.apache.kafka.common.serialization.Serde;

/** A topic with the serdes of its keys and values: described once, used by every module. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {}
