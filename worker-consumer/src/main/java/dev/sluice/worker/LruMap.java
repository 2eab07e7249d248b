package dev.sluice.worker;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map that holds at most {@code capacity} entries and drops the least recently used one first. Not thread-safe. */
public final class LruMap<K, V> extends LinkedHashMap<K, V> {
  private final int capacity;

  public LruMap(int initialCapacity, int capacity) {
    super(initialCapacity, 0.75f, true);
    this.capacity = capacity;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    return size() > capacity;
  }
}
