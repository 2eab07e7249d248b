package dev.sluice.router.policy;

import dev.sluice.router.view.LaneView;
import dev.sluice.topics.Lanes;
import java.util.Optional;

/**
 * Lane = hash of the first {@code prefixBlocks} blocks mod L: the simplest stickiness, and the one
 * that sends everything to one lane when every prompt opens with the same system prompt. The chained
 * hash of block N-1 stands for blocks 0..N-1; shorter prompts use their deepest full block, or their
 * family hash when they have none. When that lane is not eligible, the next eligible lane in lane
 * order takes it (outcome {@code fallback}).
 */
public final class PrefixHashPolicy implements RoutingPolicy {
  public static final String NAME = "prefix_hash";
  private final int prefixBlocks;

  public PrefixHashPolicy(int prefixBlocks) {
    if (prefixBlocks < 1) throw new IllegalArgumentException("prefix blocks must be >= 1: " + prefixBlocks);
    this.prefixBlocks = prefixBlocks;
  }

  @Override
  public Optional<RoutingDecision> decide(RoutingRequest request, LaneView view) {
    int blocks = Math.min(prefixBlocks, request.blockHashes().size());
    byte[] key = blocks == 0 ? request.familyHash() : request.blockHashes().get(blocks - 1);
    int home = Lanes.laneOf(key, view.lanes());
    for (int i = 0; i < view.lanes(); i++) {
      int lane = (home + i) % view.lanes();
      if (view.isEligible(lane)) {
        return Optional.of(new RoutingDecision(lane, i == 0 ? RoutingDecision.Outcome.AFFINITY_HIT : RoutingDecision.Outcome.FALLBACK, 0));
      }
    }
    return Optional.empty();
  }

  @Override
  public String name() {
    return NAME;
  }
}
