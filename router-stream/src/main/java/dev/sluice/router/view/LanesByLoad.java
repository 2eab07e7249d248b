package dev.sluice.router.view;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * The eligible lanes of a {@link LaneView} ordered by (load, work placed so far, lane number): what
 * cache_aware and precise ask about the lanes no prefix match names, without walking every lane —
 * the least load among them ({@link #minLoad}) and which of the least loaded takes a request
 * ({@link #leastPlaced}). A lane is moved in O(log L) when its load or placed work changes; an answer
 * costs O(log L), plus one step per lane the caller asks to skip (the few lanes it weighs itself) and
 * one per distinct load within the tie tolerance (rounding, in practice one or two).
 *
 * <p>The mean load ({@link #averageLoad}) is a running sum, summed again from the lanes after every L
 * moves so that rounding does not build up (O(1) per move on average). Not thread-safe.
 */
public final class LanesByLoad {

  private record Key(double load, double placed, int lane) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = Double.compare(load, o.load);
      if (c != 0) return c;
      c = Double.compare(placed, o.placed);
      return c != 0 ? c : Integer.compare(lane, o.lane);
    }
  }

  private final int lanes;
  private final TreeSet<Key> order = new TreeSet<>();
  private final Key[] keys;
  private double loadSum;
  private int movesSinceSummed;

  /** @param lanes lane count L (lanes are 0..L-1) */
  public LanesByLoad(int lanes) {
    this.lanes = lanes;
    this.keys = new Key[lanes];
  }

  /** Adds {@code lane}, or moves it to its new load and placed work. */
  public void put(int lane, double load, double placed) {
    Key old = keys[lane];
    if (old != null) {
      if (old.load == load && old.placed == placed) return;
      order.remove(old);
      loadSum -= old.load;
    }
    Key key = new Key(load, placed, lane);
    keys[lane] = key;
    order.add(key);
    loadSum += load;
    if (++movesSinceSummed >= Math.max(lanes, 16)) sumAgain();
  }

  public void clear() {
    order.clear();
    java.util.Arrays.fill(keys, null);
    loadSum = 0;
    movesSinceSummed = 0;
  }

  public int size() {
    return order.size();
  }

  public boolean isEmpty() {
    return order.isEmpty();
  }

  /** Mean load of the lanes here (0 when there are none). */
  public double averageLoad() {
    return order.isEmpty() ? 0 : loadSum / order.size();
  }

  private void sumAgain() {
    double sum = 0;
    for (Key k : order) sum += k.load;
    loadSum = sum;
    movesSinceSummed = 0;
  }

  /** The least load among the lanes here with load below {@code below}, {@code skip}ped lanes aside; NaN when none. */
  public double minLoad(double below, IntPredicate skip) {
    for (Key k : order) {
      if (!(k.load < below)) return Double.NaN;
      if (!skip.test(k.lane)) return k.load;
    }
    return Double.NaN;
  }

  /**
   * Among the lanes here with load at most {@code atMost} and below {@code below}, {@code skip}ped lanes
   * aside: the one this router has given the least work so far, and among equals the first in ring order
   * from {@code home} (home, home + 1, ..., L - 1, 0, ...). -1 when no lane qualifies.
   */
  public int leastPlaced(double atMost, double below, IntPredicate skip, int home) {
    // One run per distinct load in range; within a run the lanes are in order of placed work, then number.
    List<Key> runs = new ArrayList<>(2);
    double least = Double.POSITIVE_INFINITY;
    for (Key k = first(); k != null && k.load <= atMost && k.load < below;
        k = order.higher(new Key(k.load, Double.POSITIVE_INFINITY, Integer.MAX_VALUE))) {
      Key first = firstNotSkipped(k, k.load, Double.NaN, Integer.MAX_VALUE, skip);
      if (first == null) continue;
      runs.add(first);
      least = Math.min(least, first.placed);
    }
    int chosen = -1;
    for (Key run : runs) {
      if (Double.compare(run.placed, least) != 0) continue;
      // the first lane at or after home with this (load, placed); else the first from lane 0 (wrapping round)
      Key k = firstNotSkipped(order.ceiling(new Key(run.load, least, home)), run.load, least, Integer.MAX_VALUE, skip);
      if (k == null) k = firstNotSkipped(run, run.load, least, home, skip);
      if (k != null && (chosen < 0 || ringDistance(k.lane, home) < ringDistance(chosen, home))) chosen = k.lane;
    }
    return chosen;
  }

  private Key first() {
    return order.isEmpty() ? null : order.first();
  }

  /**
   * From {@code k} on, the first lane not skipped that has this load (and this placed work unless NaN)
   * and a number below {@code laneBelow}; null when the run ends first.
   */
  private Key firstNotSkipped(Key k, double load, double placed, int laneBelow, IntPredicate skip) {
    for (; k != null; k = order.higher(k)) {
      if (Double.compare(k.load, load) != 0 || (!Double.isNaN(placed) && Double.compare(k.placed, placed) != 0)
          || k.lane >= laneBelow) {
        return null;
      }
      if (!skip.test(k.lane)) return k;
    }
    return null;
  }

  private int ringDistance(int lane, int home) {
    return Math.floorMod(lane - home, lanes);
  }
}
