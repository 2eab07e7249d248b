package dev.sluice.worker.step;

import java.util.LinkedHashMap;
import java.util.Map;

/** Request ids cancelled lately (a bounded, oldest-first memory). Compute thread only. */
final class CancelledRequests {
  private static final int MEMORY = 100_000;

  private final Map<String, Boolean> ids = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MEMORY;
    }
  };

  void add(String requestId) {
    ids.put(requestId, Boolean.TRUE);
  }

  boolean contains(String requestId) {
    return ids.containsKey(requestId);
  }
}
