package dev.sluice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SharedKafkaExtension;
import dev.sluice.model.generate.Generator;
import dev.sluice.model.tokenizer.TextTokenizer;
import dev.sluice.model.tokenizer.Tokenizers;
import dev.sluice.schemas.ResultEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Block cache reuse, eviction, warm restart, lanes split across a group, and a worker lost mid-run. */
@ExtendWith(SharedKafkaExtension.class)
class CacheAndRecoveryTest {

  /** BOS + the first 99 tokens of the golden greedy story: a 100-token shared prefix. */
  private static int[] sharedPrefix() throws Exception {
    return Arrays.copyOf(PipelineFixture.goldenTokens("golden_bos_greedy256.bin"), 100);
  }

  private static int[] withSuffix(int[] prefix, int... suffix) {
    int[] out = Arrays.copyOf(prefix, prefix.length + suffix.length);
    System.arraycopy(suffix, 0, out, prefix.length, suffix.length);
    return out;
  }

  private static void awaitReady(PipelineFixture f) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> f.workers.stream().allMatch(StageWorker::isReady));
  }

  private static ResultEvent runOne(PipelineFixture f, String id, int[] prompt, int maxTokens) {
    f.submit(id, prompt, maxTokens, 1);
    List<ResultEvent> events = f.awaitResults(List.of(id), Duration.ofSeconds(60)).get(id);
    return PipelineFixture.done(events);
  }

  @Test
  void shouldServeSharedPrefixFromCacheWithSameOutputAsCold() throws Exception {
    try (PipelineFixture f = new PipelineFixture("prefix", 2); TextTokenizer tokenizer = Tokenizers.load(f.model)) {
      f.startChain("0-2", "3-4");
      awaitReady(f);
      int[] first = withSuffix(sharedPrefix(), 300, 301, 302, 303, 304, 305, 306, 307, 308, 309);
      int[] second = withSuffix(sharedPrefix(), 400, 401, 402, 403, 404, 405, 406, 407);
      ResultEvent cold = runOne(f, "first", first, 20);
      assertThat(cold.getUsage().getCachedPromptTokens()).isZero();

      f.submit("second", second, 20, 1);
      List<ResultEvent> events = f.awaitResults(List.of("second"), Duration.ofSeconds(60)).get("second");
      ResultEvent warm = PipelineFixture.done(events);
      assertThat(warm.getUsage().getCachedPromptTokens()).isGreaterThanOrEqualTo(96);
      Generator.Generation reference = GoldenPipelineTest.generate(f, tokenizer, "second", second, 20);
      assertThat(PipelineFixture.tokens(events)).containsExactly(reference.tokens());
      assertThat(warm.getText()).isEqualTo(reference.text());
      assertThat(f.workers.get(0).kvHits()).isGreaterThanOrEqualTo(6);
    }
  }

  @Test
  void shouldCompleteEveryRequestWhenTheBudgetIsSmallerThanTheWorkingSet() throws Exception {
    try (PipelineFixture f = new PipelineFixture("evict", 2)) {
      // 1 MiB holds 85 blocks of layers 0-2 (12 KiB each); four 480-token prompts need 120.
      f.start(f.settings(0, "0-2", f.namespace + "-w0").withKvCacheMb(1));
      f.start(f.settings(1, "3-4", f.namespace + "-w1").withKvCacheMb(1));
      awaitReady(f);
      int[] story = PipelineFixture.goldenTokens("golden_bos_greedy256.bin");
      List<String> ids = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        int[] prompt = new int[480];
        for (int i = 0; i < prompt.length; i++) {
          prompt[i] = i == 0 ? 1 : story[1 + (i * (r + 3)) % (story.length - 1)];
        }
        String id = "big-" + r;
        ids.add(id);
        f.submit(id, prompt, 4, r);
      }
      Map<String, List<ResultEvent>> results = f.awaitResults(ids, Duration.ofSeconds(120));
      for (String id : ids) {
        assertThat(PipelineFixture.done(results.get(id)).getKind()).as(id).isEqualTo(dev.sluice.schemas.ResultKind.DONE);
      }
      assertThat(f.workers.get(0).kvEvictions()).isGreaterThan(0);
      assertThat(f.workers.get(0).kvBlocks()).isLessThanOrEqualTo(85);
    }
  }

  @Test
  void shouldPauseLanesWhileTheQueueIsFullAndStillCompleteEveryRequest() throws Exception {
    try (PipelineFixture f = new PipelineFixture("backpressure", 2)) {
      // a queue of 2 records: the burst below can only be taken in by pausing and resuming the lanes
      StageWorker stage0 = f.start(f.settings(0, "0-2", f.namespace + "-w0").withBatching(2, 5, 2));
      f.start(f.settings(1, "3-4", f.namespace + "-w1"));
      awaitReady(f);
      int[] story = PipelineFixture.goldenTokens("golden_bos_greedy256.bin");
      List<String> ids = new ArrayList<>();
      for (int r = 0; r < 24; r++) {
        String id = "burst-" + r;
        ids.add(id);
        f.submit(id, Arrays.copyOf(story, 4 + r % 5), 3, r % PipelineFixture.LANES);
      }
      Map<String, List<ResultEvent>> results = f.awaitResults(ids, Duration.ofSeconds(120));
      for (String id : ids) {
        assertThat(results.get(id).stream().filter(PipelineFixture::isFinal)).as(id).hasSize(1);
        assertThat(PipelineFixture.done(results.get(id)).getKind()).as(id).isEqualTo(dev.sluice.schemas.ResultKind.DONE);
      }
      assertThat(stage0.backPressurePauses()).isGreaterThan(0);
    }
  }

  @Test
  void shouldResumeWarmAfterRestartWithSameInstanceIdAndDataDir() throws Exception {
    try (PipelineFixture f = new PipelineFixture("restart", 2)) {
      WorkerSettings stage0 = f.settings(0, "0-2", f.namespace + "-w0");
      StageWorker first = f.start(stage0);
      f.start(f.settings(1, "3-4", f.namespace + "-w1"));
      awaitReady(f);
      runOne(f, "before", withSuffix(sharedPrefix(), 300, 301, 302), 8);
      first.close();
      f.workers.remove(first);

      StageWorker restarted = f.start(stage0);
      awaitReady(f);
      assertThat(restarted.kvBlocks()).as("blocks found in the persisted map").isGreaterThanOrEqualTo(6);
      ResultEvent warm = runOne(f, "after", withSuffix(sharedPrefix(), 400, 401, 402), 8);
      assertThat(warm.getUsage().getCachedPromptTokens()).isGreaterThanOrEqualTo(96);
      assertThat(restarted.kvHits()).isGreaterThanOrEqualTo(6);
    }
  }

  @Test
  void shouldSplitLanesBetweenTwoWorkersOfAStageAndSurviveLosingOne() throws Exception {
    try (PipelineFixture f = new PipelineFixture("group", 2); TextTokenizer tokenizer = Tokenizers.load(f.model)) {
      StageWorker a = f.start(f.settings(0, "0-2", f.namespace + "-w0a"));
      StageWorker b = f.start(f.settings(0, "0-2", f.namespace + "-w0b"));
      f.start(f.settings(1, "3-4", f.namespace + "-w1"));
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> a.isReady() && b.isReady()
          && !a.lanes().isEmpty() && !b.lanes().isEmpty() && a.lanes().size() + b.lanes().size() == PipelineFixture.LANES);

      Map<String, int[]> prompts = submitOnePerLane(f, "lane", 5, 7, 120);
      List<String> ids = List.copyOf(prompts.keySet());
      // both members serve, then one is lost without committing while requests are mid-flight
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> a.tokensProcessed() > 40 && b.tokensProcessed() > 40);
      a.abandon();
      f.workers.remove(a);

      Map<String, List<ResultEvent>> results = f.awaitResults(ids, Duration.ofSeconds(120));
      for (String id : ids) {
        List<ResultEvent> events = results.get(id);
        ResultEvent done = PipelineFixture.done(events); // exactly one final result
        assertThat(done.getKind()).as(id).isEqualTo(dev.sluice.schemas.ResultKind.DONE);
        Generator.Generation reference = GoldenPipelineTest.generate(f, tokenizer, id, prompts.get(id), 120);
        assertThat(PipelineFixture.tokens(events)).as(id).containsExactly(reference.tokens());
        assertThat(done.getText()).as(id).isEqualTo(reference.text());
      }
      assertThat(b.lanes()).hasSize(PipelineFixture.LANES);
      assertThat(b.recomputes()).as("sequences rebuilt after the lanes moved").isGreaterThan(0);
    }
  }

  @Test
  void shouldRebuildThroughStageZeroWhenAMiddleStageLosesItsLanes() throws Exception {
    try (PipelineFixture f = new PipelineFixture("middle", 3); TextTokenizer tokenizer = Tokenizers.load(f.model)) {
      f.start(f.settings(0, "0-1", f.namespace + "-w0"));
      StageWorker a = f.start(f.settings(1, "2-3", f.namespace + "-w1a").withKvCacheMb(0));
      StageWorker b = f.start(f.settings(1, "2-3", f.namespace + "-w1b").withKvCacheMb(0));
      f.start(f.settings(2, "4", f.namespace + "-w2"));
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> f.workers.stream().allMatch(StageWorker::isReady)
          && !a.lanes().isEmpty() && !b.lanes().isEmpty() && a.lanes().size() + b.lanes().size() == PipelineFixture.LANES);

      Map<String, int[]> prompts = submitOnePerLane(f, "mid", 20, 3, 100);
      List<String> ids = List.copyOf(prompts.keySet());
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> a.tokensProcessed() > 60);
      a.abandon(); // b takes its lanes without their KV: it must ask stage 0 for a RECOMPUTE
      f.workers.remove(a);

      Map<String, List<ResultEvent>> results = f.awaitResults(ids, Duration.ofSeconds(120));
      for (String id : ids) {
        List<ResultEvent> events = results.get(id);
        ResultEvent done = PipelineFixture.done(events);
        assertThat(done.getKind()).as(id).isEqualTo(dev.sluice.schemas.ResultKind.DONE);
        Generator.Generation reference = GoldenPipelineTest.generate(f, tokenizer, id, prompts.get(id), 100);
        assertThat(PipelineFixture.tokens(events)).as(id).containsExactly(reference.tokens());
      }
      assertThat(b.recomputes()).as("RECOMPUTE requests sent by the surviving middle stage").isGreaterThan(0);
      assertThat(f.workers.get(0).recomputes()).as("rebuilds run by stage 0").isGreaterThan(0);
    }
  }

  /**
   * One request a lane, in lane order: request {@code PREFIX-L} is the first {@code base + step × L}
   * tokens of the golden story, sent to lane L for {@code maxTokens} tokens; returns id → prompt.
   */
  private static Map<String, int[]> submitOnePerLane(PipelineFixture f, String prefix, int base, int step, int maxTokens)
      throws Exception {
    int[] story = PipelineFixture.goldenTokens("golden_bos_greedy256.bin");
    Map<String, int[]> prompts = new java.util.LinkedHashMap<>();
    for (int lane = 0; lane < PipelineFixture.LANES; lane++) {
      int[] prompt = Arrays.copyOf(story, base + step * lane);
      String id = prefix + "-" + lane;
      prompts.put(id, prompt);
      f.submit(id, prompt, maxTokens, lane);
    }
    return prompts;
  }
}
