package dev.sluice.router.view;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The router's own placements that have not finished yet, per lane: the load signal of the
 * load-aware policies. A placement enters when the router writes a request to stage 0 and leaves
 * when the router reads that request's DONE or ERROR on the results topic; TOKEN results on the way
 * mark its progress (the first token means its prefill is over; each token is one decode step less).
 *
 * <p>The work still to do on a lane, in seconds, is the sum over its placements of
 * {@code remaining prefill tokens / prefillTokensPerSecond + remaining tokens × decodeSecondsPerToken}
 * (remaining tokens = maxTokens − tokens seen: the router cannot know a shorter finish in advance).
 * Unlike a heartbeat's queue snapshot this moves with every placement and every result, and it
 * weighs a 4,000-token prefill as more work than a 40-token one.
 *
 * <p>The table keeps per-lane totals of the tokens still to compute (prefill tokens of placements without
 * a token yet; tokens still to generate), updated by each placement and result, so one lane's work costs
 * O(1) whatever the lane count. It also numbers its changes and remembers the lanes of the last
 * {@value #CHANGES_KEPT} of them ({@link #changesSince}), so a view kept up to date
 * ({@link RouterLaneView}) re-reads only the lanes that changed since it last looked.
 *
 * <p>Thread-safe: the routing tasks add placements while the results reader completes them.
 */
public final class InFlightWork {

  /**
   * One request the router placed.
   *
   * @param promptTokens the prompt's length
   * @param prefillTokens prompt tokens the lane has to compute (the prompt minus what the policy expected cached)
   * @param maxTokens the most tokens it may generate
   */
  public record Placement(String requestId, int lane, int promptTokens, int prefillTokens, int maxTokens, long placedAtMs,
      String model, long createdAtMs, Integer replyPartition, boolean laneWasIdle) {

    /** A placement that teaches the lane speed nothing (the simulation's, and tests'). */
    public Placement(String requestId, int lane, int promptTokens, int prefillTokens, int maxTokens, long placedAtMs,
        String model, long createdAtMs, Integer replyPartition) {
      this(requestId, lane, promptTokens, prefillTokens, maxTokens, placedAtMs, model, createdAtMs, replyPartition, false);
    }

    /** Prompt tokens the policy expected to be cached on the lane. */
    public int predictedCachedTokens() {
      return promptTokens - prefillTokens;
    }
  }

  private static final class Entry {
    final Placement placement;
    int tokensSeen;
    long firstTokenAtMs = -1;

    Entry(Placement placement) {
      this.placement = placement;
    }

    /** Prompt tokens the lane still has to prefill for it (none once its first token came). */
    long prefillLeft() {
      return tokensSeen > 0 ? 0 : placement.prefillTokens();
    }

    /** Tokens it may still generate. */
    long tokensLeft() {
      return Math.max(0, placement.maxTokens() - tokensSeen);
    }
  }

  /** How many of the latest changes {@link #changesSince} can name. */
  static final int CHANGES_KEPT = 4096;

  /**
   * The lanes whose work changed after change number {@code since}, and the current change number.
   *
   * @param upTo the change number now (pass it as {@code since} next time)
   * @param lanes the changed lanes (repeats possible), or null when more changes happened than this table
   *     remembers: every lane is to be read again
   */
  public record Changes(long upTo, int[] lanes) {}

  private final int lanes;
  private final LaneSpeed speed;
  private final Map<String, Entry> placements = new HashMap<>();
  private final long[] placedPrefillTokens;
  private final long[] placedMaxTokens;
  /** Per lane: prefill tokens of the placements that have no token yet. */
  private final long[] prefillTokensLeft;
  /** Per lane: tokens the placements in flight may still generate. */
  private final long[] tokensLeft;
  /** changedLanes[n % CHANGES_KEPT] = the lane of change number n + 1. */
  private final int[] changedLanes = new int[CHANGES_KEPT];
  private long changes;

  public InFlightWork(int lanes) {
    this(lanes, new LaneSpeed(1, 0));
  }

  /** @param speed learns from the timed results ({@link #tokensAt}, {@link #finishedAt}) */
  public InFlightWork(int lanes, LaneSpeed speed) {
    this.lanes = lanes;
    this.speed = speed;
    this.placedPrefillTokens = new long[lanes];
    this.placedMaxTokens = new long[lanes];
    this.prefillTokensLeft = new long[lanes];
    this.tokensLeft = new long[lanes];
  }

  private void count(Entry e, int sign) {
    int lane = e.placement.lane();
    prefillTokensLeft[lane] += sign * e.prefillLeft();
    tokensLeft[lane] += sign * e.tokensLeft();
    changedLanes[(int) (changes++ % CHANGES_KEPT)] = lane;
  }

  /** Enters a placement's remaining work in its lane's totals. */
  private void add(Entry e) {
    count(e, 1);
  }

  /** Takes a placement's remaining work out of its lane's totals (before it changes or leaves). */
  private void subtract(Entry e) {
    count(e, -1);
  }

  /** The number of the latest change (see {@link Changes}). */
  public synchronized long changeNumber() {
    return changes;
  }

  /** See {@link Changes}. */
  public synchronized Changes changesSince(long since) {
    if (changes - since > CHANGES_KEPT) return new Changes(changes, null);
    int[] out = new int[(int) (changes - since)];
    for (long n = since; n < changes; n++) out[(int) (n - since)] = changedLanes[(int) (n % CHANGES_KEPT)];
    return new Changes(changes, out);
  }

  /** Seconds of work still to do on {@code lane}: its totals at the given speed. */
  public synchronized double secondsOn(int lane, double prefillTokensPerSecond, double decodeSecondsPerToken) {
    return prefillTokensLeft[lane] / prefillTokensPerSecond + tokensLeft[lane] * decodeSecondsPerToken;
  }

  /** Seconds of work placed on {@code lane} since this table was made, finished or not. */
  public synchronized double placedSecondsOn(int lane, double prefillTokensPerSecond, double decodeSecondsPerToken) {
    return placedPrefillTokens[lane] / prefillTokensPerSecond + placedMaxTokens[lane] * decodeSecondsPerToken;
  }

  public int lanes() {
    return lanes;
  }

  /** Records a placement (a placement of the same request id replaces the older one). */
  public synchronized void placed(Placement placement) {
    if (placement.lane() < 0 || placement.lane() >= lanes) throw new IllegalArgumentException("no lane " + placement.lane());
    Entry entry = new Entry(placement);
    Entry older = placements.put(placement.requestId(), entry);
    if (older != null) subtract(older);
    add(entry);
    placedPrefillTokens[placement.lane()] += placement.prefillTokens();
    placedMaxTokens[placement.lane()] += placement.maxTokens();
  }

  /** Seconds of work placed on each lane since this table was made, finished or not. */
  public synchronized double[] placedSecondsPerLane(double prefillTokensPerSecond, double decodeSecondsPerToken) {
    double[] out = new double[lanes];
    for (int lane = 0; lane < lanes; lane++) out[lane] = placedSecondsOn(lane, prefillTokensPerSecond, decodeSecondsPerToken);
    return out;
  }

  /** A TOKEN result of the request carried {@code tokens} tokens (unknown requests are ignored). */
  public synchronized void tokens(String requestId, int tokens) {
    Entry e = placements.get(requestId);
    if (e == null) return;
    subtract(e);
    e.tokensSeen += Math.max(1, tokens);
    add(e);
  }

  /** {@link #tokens} read at {@code nowMs}: the first token of a placement on an idle lane times its prefill. */
  public synchronized void tokensAt(String requestId, int tokens, long nowMs) {
    Entry e = placements.get(requestId);
    if (e == null) return;
    if (e.tokensSeen == 0) {
      e.firstTokenAtMs = nowMs;
      if (e.placement.laneWasIdle()) speed.prefill(e.placement.prefillTokens(), (nowMs - e.placement.placedAtMs()) / 1000.0);
    }
    subtract(e);
    e.tokensSeen += Math.max(1, tokens);
    add(e);
  }

  /** {@link #finished} read at {@code nowMs}: its tokens after the first time the decode speed. */
  public synchronized Placement finishedAt(String requestId, long nowMs) {
    Entry e = placements.remove(requestId);
    if (e == null) return null;
    subtract(e);
    if (e.firstTokenAtMs >= 0 && e.tokensSeen >= 2) speed.decode(e.tokensSeen - 1, (nowMs - e.firstTokenAtMs) / 1000.0);
    return e.placement;
  }

  public LaneSpeed speed() {
    return speed;
  }

  /** Tells how far a request got (the simulation's view of its TOKEN results): tokens generated so far. */
  public synchronized void progress(String requestId, int tokensGenerated) {
    Entry e = placements.get(requestId);
    if (e == null) return;
    subtract(e);
    e.tokensSeen = Math.max(e.tokensSeen, tokensGenerated);
    add(e);
  }

  /** The request ended (DONE or ERROR); returns its placement, or null when it was not in flight here. */
  public synchronized Placement finished(String requestId) {
    Entry e = placements.remove(requestId);
    if (e == null) return null;
    subtract(e);
    return e.placement;
  }

  /** Seconds of work still to do per lane (length {@link #lanes()}). */
  public synchronized double[] secondsPerLane(double prefillTokensPerSecond, double decodeSecondsPerToken) {
    double[] out = new double[lanes];
    for (int lane = 0; lane < lanes; lane++) out[lane] = secondsOn(lane, prefillTokensPerSecond, decodeSecondsPerToken);
    return out;
  }

  /**
   * Forgets placements made before {@code cutoffMs} whose end never came back (a result lost to a
   * retention cut, a reader that fell behind): without this they would count as load forever.
   * Returns how many.
   */
  public synchronized int forgetPlacedBefore(long cutoffMs) {
    int before = placements.size();
    placements.values().removeIf(e -> {
      if (e.placement.placedAtMs() >= cutoffMs) return false;
      subtract(e);
      return true;
    });
    return before - placements.size();
  }

  /** Requests in flight per lane. */
  public synchronized int[] requestsPerLane() {
    int[] out = new int[lanes];
    for (Entry e : placements.values()) out[e.placement.lane()]++;
    return out;
  }

  public synchronized int size() {
    return placements.size();
  }

  /** Every placement in flight now (a copy). */
  public synchronized List<Placement> all() {
    List<Placement> out = new ArrayList<>(placements.size());
    for (Entry e : placements.values()) out.add(e.placement);
    return out;
  }

  /** Removes and returns the given placements (those still in flight). */
  public synchronized List<Placement> removeAll(Collection<Placement> which) {
    List<Placement> out = new ArrayList<>();
    for (Placement p : which) {
      Entry e = placements.get(p.requestId());
      if (e != null && e.placement.equals(p)) {
        placements.remove(p.requestId());
        subtract(e);
        out.add(p);
      }
    }
    return out;
  }
}
