package dev.sluice.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.kafka.local.SharedKafkaExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs {@link PipelineBenchmark} on the in-process broker. Off by default (it takes minutes):
 * {@code ./mvnw -o -q -pl worker-consumer test -Dtest=PipelineBenchmarkTest -Dsluice.bench=true}
 * (add {@code -Dsluice.bench.shape=tiny-gpt2} or {@code -Dsluice.bench.model=DIR} for other models).
 */
@ExtendWith(SharedKafkaExtension.class)
class PipelineBenchmarkTest {

  @Test
  void shouldPrintPipelineVersusInProcessThroughput() throws Exception {
    assumeTrue(Boolean.getBoolean("sluice.bench"), "benchmark off; run with -Dsluice.bench=true");
    PipelineBenchmark.Options d = PipelineBenchmark.Options.defaults();
    String model = System.getProperty("sluice.bench.model");
    PipelineBenchmark.Options o = new PipelineBenchmark.Options(model == null ? null : Path.of(model),
        System.getProperty("sluice.bench.shape", d.shape()), Integer.getInteger("sluice.bench.requests", d.requests()),
        Integer.getInteger("sluice.bench.prompt", d.promptTokens()), Integer.getInteger("sluice.bench.tokens", d.maxTokens()),
        Integer.getInteger("sluice.bench.window", d.batchingWindowMs()),
        Integer.getInteger("sluice.bench.batch", d.maxBatchSize()));
    PipelineBenchmark.Figures f = new PipelineBenchmark(System.out).run(SharedKafkaExtension.bootstrapServers(), o);
    assertThat(f.tokens()).isGreaterThan(0);
  }
}
