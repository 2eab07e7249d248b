package dev.sluice.router.view;

import java.util.ArrayDeque;

/**
 * Requests this router placed on each lane within the last window, a stand-in for load the workers'
 * heartbeats (one per second) do not show yet. Shared by every Streams task of one router process.
 */
public final class RecentRoutes {
  private record Route(long atMs, int lane) {}

  private final int lanes;
  private final long windowMs;
  private final ArrayDeque<Route> routes = new ArrayDeque<>();
  private final int[] counts;

  public RecentRoutes(int lanes, long windowMs) {
    this.lanes = lanes;
    this.windowMs = windowMs;
    this.counts = new int[lanes];
  }

  public synchronized void record(int lane, long nowMs) {
    if (lane < 0 || lane >= lanes) return;
    routes.addLast(new Route(nowMs, lane));
    counts[lane]++;
  }

  /** Per-lane count of requests placed within the window before {@code nowMs}. */
  public synchronized double[] perLane(long nowMs) {
    while (!routes.isEmpty() && nowMs - routes.peekFirst().atMs() >= windowMs) {
      counts[routes.pollFirst().lane()]--;
    }
    double[] out = new double[lanes];
    for (int i = 0; i < lanes; i++) out[i] = counts[i];
    return out;
  }
}
