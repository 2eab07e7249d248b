package dev.sluice.bench.replay;

import dev.sluice.embedded.LocalPipeline;
import dev.sluice.embedded.PipelineSpec;
import dev.sluice.results.client.SluiceClient;
import dev.sluice.results.client.SluiceClientSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A fresh one-machine pipeline for one policy of a replay, and the results client that submits to
 * it: the client reads in its own results group, so it owns every reply partition.
 */
record ReplayPipeline(LocalPipeline pipeline, SluiceClient client) implements AutoCloseable {
  static final String NAMESPACE = "sluice";

  static ReplayPipeline start(ReplayBenchmark.Settings settings, String policy, Path modelDir, Path dir) throws Exception {
    PipelineSpec spec = new PipelineSpec(0, settings.stages(), settings.workersPerStage(), settings.lanes(), modelDir,
        policy, null, 0, dir, NAMESPACE);
    LocalPipeline pipeline = LocalPipeline.start(spec, line -> {}, Duration.ofMinutes(3));
    SluiceClient client;
    try {
      client = new SluiceClient(SluiceClientSettings.of(pipeline.bootstrapServers(), NAMESPACE)
          .withGroupId(NAMESPACE + ".bench-replay").withTimeout(Duration.ofSeconds(settings.timeoutSeconds())));
      if (!client.awaitReady(Duration.ofSeconds(60))) {
        client.close();
        throw new IllegalStateException("the results client got no reply partition in 60 s");
      }
    } catch (Exception | Error e) {
      pipeline.close();
      throw e;
    }
    return new ReplayPipeline(pipeline, client);
  }

  @Override
  public void close() {
    client.close();
    pipeline.close();
  }
}
