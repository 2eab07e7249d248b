package dev.sluice.e2e.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.e2e.fixture.StagePipelineFixture;
import dev.sluice.embedded.process.RoleProcess;
import dev.sluice.testing.SharedKafkaExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stage workers as real processes: one of a stage's two workers is killed with kill -9 in the middle
 * of 100 requests (stage 0, the middle stage, the last stage), or a stage is scaled while requests
 * run. Every request must complete with the output of an undisturbed run, and the results topic —
 * read as any plain consumer reads it — must hold exactly one DONE per request and no (requestId,
 * index) twice.
 */
@ExtendWith(SharedKafkaExtension.class)
class WorkerFailoverTest {
  private static final int REQUESTS = 100;
  private static final int MAX_TOKENS = 40;

  @Test
  void shouldLoseAndDoubleNothingWhenAStageZeroWorkerIsKilled(@TempDir Path dir) throws Exception {
    killOneOfTwo(0, dir);
  }

  @Test
  void shouldLoseAndDoubleNothingWhenAMiddleStageWorkerIsKilled(@TempDir Path dir) throws Exception {
    killOneOfTwo(1, dir);
  }

  @Test
  void shouldLoseAndDoubleNothingWhenALastStageWorkerIsKilled(@TempDir Path dir) throws Exception {
    killOneOfTwo(2, dir);
  }

  @Test
  void shouldLoseAndDoubleNothingWhenAStageScalesOutAndIn(@TempDir Path dir) throws Exception {
    try (StagePipelineFixture p = new StagePipelineFixture("scale", dir)) {
      p.startInProcess(0, p.namespace() + "-s0");
      p.startInProcess(2, p.namespace() + "-s2");
      try (RoleProcess a = p.startChild(1, p.namespace() + "-s1a");
          StagePipelineFixture.Results results = p.results()) {
        awaitStageReady(p, a);
        Map<String, int[]> prompts = p.prompts(REQUESTS);
        p.submit(prompts, MAX_TOKENS);
        results.awaitProgress(REQUESTS / 5, Duration.ofMinutes(2));
        try (RoleProcess b = p.startChild(1, p.namespace() + "-s1b")) { // scale out: lanes split between a and b
          results.awaitProgress(REQUESTS / 2, Duration.ofMinutes(2));
          // scale in: a drains its step, commits and leaves the group (the JVM then exits 128 + SIGTERM)
          assertThat(a.terminate(60)).as("exit code after SIGTERM").isIn(0, 143);
          results.awaitFinished(REQUESTS, Duration.ofMinutes(3));
          p.assertOneGenerationEach(prompts, results, MAX_TOKENS);
          assertThat(a.output()).contains("draining worker");
        }
      }
    }
  }

  private void killOneOfTwo(int stage, Path dir) throws Exception {
    try (StagePipelineFixture p = new StagePipelineFixture("kill" + stage, dir)) {
      for (int k = 0; k < StagePipelineFixture.LAYERS.length; k++) {
        if (k != stage) {
          p.startInProcess(k, p.namespace() + "-s" + k);
        }
      }
      try (RoleProcess victim = p.startChild(stage, p.namespace() + "-victim");
          RoleProcess survivor = p.startChild(stage, p.namespace() + "-survivor");
          StagePipelineFixture.Results results = p.results()) {
        awaitStageReady(p, victim, survivor);
        Map<String, int[]> prompts = p.prompts(REQUESTS);
        p.submit(prompts, MAX_TOKENS);
        results.awaitProgress(REQUESTS / 5, Duration.ofMinutes(2));
        victim.kill();
        results.awaitFinished(REQUESTS, Duration.ofMinutes(3));
        p.assertOneGenerationEach(prompts, results, MAX_TOKENS);
        assertThat(results.finished()).isEqualTo(REQUESTS);
        assertThat(survivor.isAlive()).isTrue();
      }
    }
  }

  /** The child workers printed "worker ID:" (they run) and the in-process workers are ready. */
  private static void awaitStageReady(StagePipelineFixture p, RoleProcess... children) {
    await("stage workers ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
      for (RoleProcess c : children) {
        if (!c.output().contains(c.name() + ":")) {
          return false;
        }
      }
      return p.inProcessReady();
    });
  }
}
