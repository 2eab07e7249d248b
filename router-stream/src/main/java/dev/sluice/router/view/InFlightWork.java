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

    double seconds(double prefillTokensPerSecond, double decodeSecondsPerToken) {
      double prefill = tokensSeen > 0 ? 0 : placement.prefillTokens() / prefillTokensPerSecond;
      return prefill + Math.max(0, placement.maxTokens() - tokensSeen) * decodeSecondsPerToken;
    }
  }

  private final int lanes;
  private final LaneSpeed speed;
  private final Map<String, Entry> placements = new HashMap<>();
  private final long[] placedPrefillTokens;
  private final long[] placedMaxTokens;

  public InFlightWork(int lanes) {
    this(lanes, new LaneSpeed(1, 0));
  }

  /** @param speed learns from the timed results ({@link #tokensAt}, {@link #finishedAt}) */
  public InFlightWork(int lanes, LaneSpeed speed) {
    this.lanes = lanes;
    this.speed = speed;
    this.placedPrefillTokens = new long[lanes];
    this.placedMaxTokens = new long[lanes];
  }

  public int lanes() {
    return lanes;
  }

  /** Records a placement (a placement of the same request id replaces the older one). */
  public synchronized void placed(Placement placement) {
    if (placement.lane() < 0 || placement.lane() >= lanes) throw new IllegalArgumentException("no lane " + placement.lane());
    placements.put(placement.requestId(), new Entry(placement));
    placedPrefillTokens[placement.lane()] += placement.prefillTokens();
    placedMaxTokens[placement.lane()] += placement.maxTokens();
  }

  /** Seconds of work placed on each lane since this table was made, finished or not. */
  public synchronized double[] placedSecondsPerLane(double prefillTokensPerSecond, double decodeSecondsPerToken) {
    double[] out = new double[lanes];
    for (int lane = 0; lane < lanes; lane++) {
      out[lane] = placedPrefillTokens[lane] / prefillTokensPerSecond + placedMaxTokens[lane] * decodeSecondsPerToken;
    }
    return out;
  }

  /** A TOKEN result of the request carried {@code tokens} tokens (unknown requests are ignored). */
  public synchronized void tokens(String requestId, int tokens) {
    Entry e = placements.get(requestId);
    if (e != null) e.tokensSeen += Math.max(1, tokens);
  }

  /** {@link #tokens} read at {@code nowMs}: the first token of a placement on an idle lane times its prefill. */
  public synchronized void tokensAt(String requestId, int tokens, long nowMs) {
    Entry e = placements.get(requestId);
    if (e == null) return;
    if (e.tokensSeen == 0) {
      e.firstTokenAtMs = nowMs;
      if (e.placement.laneWasIdle()) speed.prefill(e.placement.prefillTokens(), (nowMs - e.placement.placedAtMs()) / 1000.0);
    }
    e.tokensSeen += Math.max(1, tokens);
  }

  /** {@link #finished} read at {@code nowMs}: its tokens after the first time the decode speed. */
  public synchronized Placement finishedAt(String requestId, long nowMs) {
    Entry e = placements.remove(requestId);
    if (e == null) return null;
    if (e.firstTokenAtMs >= 0 && e.tokensSeen >= 2) speed.decode(e.tokensSeen - 1, (nowMs - e.firstTokenAtMs) / 1000.0);
    return e.placement;
  }

  public LaneSpeed speed() {
    return speed;
  }

  /** Tells how far a request got (the simulation's view of its TOKEN results): tokens generated so far. */
  public synchronized void progress(String requestId, int tokensGenerated) {
    Entry e = placements.get(requestId);
    if (e != null) e.tokensSeen = Math.max(e.tokensSeen, tokensGenerated);
  }

  /** The request ended (DONE or ERROR); returns its placement, or null when it was not in flight here. */
  public synchronized Placement finished(String requestId) {
    Entry e = placements.remove(requestId);
    return e == null ? null : e.placement;
  }

  /** Seconds of work still to do per lane (length {@link #lanes()}). */
  public synchronized double[] secondsPerLane(double prefillTokensPerSecond, double decodeSecondsPerToken) {
    double[] out = new double[lanes];
    for (Entry e : placements.values()) out[e.placement.lane()] += e.seconds(prefillTokensPerSecond, decodeSecondsPerToken);
    return out;
  }

  /**
   * Forgets placements made before {@code cutoffMs} whose end never came back (a result lost to a
   * retention cut, a reader that fell behind): without this they would count as load forever.
   * Returns how many.
   */
  public synchronized int forgetPlacedBefore(long cutoffMs) {
    int before = placements.size();
    placements.values().removeIf(e -> e.placement.placedAtMs() < cutoffMs);
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
        out.add(p);
      }
    }
    return out;
  }
}
