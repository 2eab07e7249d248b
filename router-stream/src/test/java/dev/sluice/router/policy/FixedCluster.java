package dev.sluice.router.policy;

import static dev.sluice.router.Fixtures.MODEL;
import static dev.sluice.router.Fixtures.prompt;
import static dev.sluice.router.Fixtures.heardAtTheirTimestamps;
import static dev.sluice.router.Fixtures.worker;

import dev.sluice.router.view.LaneView;
import java.util.List;

/**
 * The fixed worker view every policy test uses: four lanes, one single-stage worker each;
 * lane 0 has 3 queued requests, lane 1 none, lane 2 one; lane 3's worker is stale.
 */
final class FixedCluster {
  private FixedCluster() {}

  static final long NOW = 1_700_000_000_000L;
  static final int LANES = 4;

  static LaneView view() {
    return LaneView.from(heardAtTheirTimestamps(NOW, List.of(
        worker("w0", 0, List.of(0), 3, NOW - 500),
        worker("w1", 0, List.of(1), 0, NOW - 200),
        worker("w2", 0, List.of(2), 1, NOW),
        worker("w3-stale", 0, List.of(3), 0, NOW - 6_000))), 1, LANES, null);
  }

  /** The lanes {@code policy} chooses on this view for {@code count} requests of 20 tokens (seeds 1, 2, ...). */
  static List<Integer> lanesChosen(RoutingPolicy policy, int count) {
    LaneView view = view();
    return java.util.stream.IntStream.rangeClosed(1, count).mapToObj(seed -> policy.select(request(seed, 20), view).orElseThrow())
        .toList();
  }

  static RoutingRequest request(int seed, int length) {
    return RoutingRequest.of("r" + seed, prompt(seed, length), MODEL, null, 16);
  }

  /** A request of {@code length} tokens whose family hash lands on {@code lane} (mod 4). */
  static RoutingRequest requestWithHome(int lane, int length) {
    for (int seed = 1; ; seed++) {
      RoutingRequest r = request(seed, length);
      if (r.homeLane(LANES) == lane) return r;
    }
  }
}
