package dev.sluice.router.topology;

import static dev.sluice.router.Fixtures.MODEL;
import static dev.sluice.router.Fixtures.prompt;
import static dev.sluice.router.Fixtures.request;
import static dev.sluice.router.topology.RouterDriver.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.RouterSettings;
import dev.sluice.schemas.InferenceRequest;
import dev.sluice.schemas.StageWork;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request seen again (a replay after a router crash) is not routed or answered a second time, at
 * either sub-topology; ids are forgotten after their TTL so the stores stay bounded.
 */
class ReplayedRequestsTest {
  @TempDir Path dataDir;

  @Test
  void shouldRouteARequestSeenTwiceOnlyOnce() {
    try (RouterDriver router = new RouterDriver(RouterSettings.defaults(MODEL), null, dataDir)) {
      router.requests.pipeInput(null, request("r1", prompt(1, 150)), T0);
      int chunks = router.stage0.readRecordsToList().size();
      router.requests.pipeInput(null, request("r1", prompt(1, 150)), T0);
      router.requests.pipeInput(null, request("r2", prompt(1, 150)), T0);

      assertThat(chunks).isEqualTo(3);
      assertThat(router.stage0.readRecordsToList()).extracting(r -> r.value().getRequestId())
          .as("the replayed r1 is dropped, r2 routed").containsExactly("r2", "r2", "r2");
      assertThat(router.metrics.requests("duplicate")).isEqualTo(1);
    }
  }

  @Test
  void shouldAnswerAnInvalidRequestSeenTwiceOnlyOnce() {
    try (RouterDriver router = new RouterDriver(RouterSettings.defaults(MODEL), null, dataDir)) {
      InferenceRequest bad = request("bad", prompt(1, 10));
      bad.setMaxTokens(0);
      router.requests.pipeInput(null, bad, T0);
      router.requests.pipeInput(null, bad, T0);
      assertThat(router.results.readRecordsToList()).extracting(r -> r.value().getRequestId()).containsExactly("bad");
    }
  }

  @Test
  void shouldForgetRoutedIdsAfterTheirTtl() {
    RouterSettings settings = RouterSettings.defaults(MODEL).withRoutedIdsTtlMs(60_000);
    try (RouterDriver router = new RouterDriver(settings, null, dataDir)) {
      router.requests.pipeInput(null, request("again", prompt(1, 20)), T0);
      router.driver.advanceWallClockTime(Duration.ofSeconds(61));
      router.requests.pipeInput(null, request("again", prompt(1, 20)), T0);
      assertThat(router.stage0.readRecordsToList()).extracting(r -> r.value().getRequestId()).containsExactly("again", "again");
      assertThat(router.driver.<String, Long>getKeyValueStore(RouterTopology.ROUTED_IDS_STORE).approximateNumEntries())
          .isEqualTo(1);
    }
  }

  @Test
  void shouldDropAReplayOfARequestItRoutedFromThePendingStoreToo() {
    RouterSettings settings = RouterSettings.defaults(MODEL);
    try (RouterDriver router = new RouterDriver(settings, null, dataDir)) {
      StageWork chunk;
      router.requests.pipeInput(null, request("once", prompt(3, 20)), T0);
      chunk = router.stage0.readValue();
      router.requests.pipeInput(null, request("once", prompt(3, 20)), T0 + 1000);
      router.driver.advanceWallClockTime(Duration.ofSeconds(1));
      assertThat(chunk.getRequestId()).isEqualTo("once");
      assertThat(router.stage0.isEmpty()).isTrue();
      assertThat(router.results.isEmpty()).isTrue();
    }
  }
}
